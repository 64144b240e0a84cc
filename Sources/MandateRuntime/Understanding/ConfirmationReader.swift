import MandateIR

/// Reads the customer's answer to a yes-or-no question (`Confirm`): "yes please", "sure, go
/// ahead", "no, don't", "not now". When the answer says both or neither, it is unclear (nil),
/// and the procedure asks again rather than guess.
public enum ConfirmationReader {
    /// True for yes, false for no, nil when unclear.
    public static func answer(_ message: String) -> Bool? {
        answer(message, words: PhraseWords(MessageText(message).wordSlices))
    }

    /// `answer(message)`, given the message's words already numbered (`PhraseWords(MessageText(message).wordSlices)`).
    static func answer(_ message: String, words: PhraseWords) -> Bool? {
        var yes = false
        var no = false
        var unclear = false
        var i = 0
        while i < words.count {
            if let m = unclearPhrases.match(words, at: i) {
                unclear = true
                i = m.words.upperBound
            } else if let m = yesAfterAll.match(words, at: i) {
                yes = true
                i = m.words.upperBound
            } else if let m = noPhrases.match(words, at: i) {
                no = true
                i = m.words.upperBound
            } else if let m = yesPhrases.match(words, at: i) {
                // A negation right before a yes turns it into a no: "don't do it", "not ok".
                if i > 0, negations.contains(words.ids[i - 1]) { no = true } else { yes = true }
                i = m.words.upperBound
            } else {
                i += 1
            }
        }
        // "please" alone is a yes; beside a no ("please don't") it is only politeness.
        if !yes && !no && words.ids.contains(please) { yes = true }
        if !yes && !no {
            // Emoji and symbols: 👍 ✅ ✔ for yes; 👎 ❌ ✖ for no.
            for s in message.unicodeScalars {
                switch s.value {
                case 0x1F44D, 0x2705, 0x2714, 0x1F44C: yes = true
                case 0x1F44E, 0x274C, 0x2716, 0x1F6AB: no = true
                default: break
                }
            }
        }
        if unclear || yes == no { return nil }
        return yes
    }

    static let please = PhraseVocabulary.shared.required(Array("please".utf8))

    /// Words that, right before a yes, make it a no.
    static let negationWords = ["dont", "not", "never", "no", "doesnt", "didnt", "cant", "wont", "shouldnt"]
    static let negations = PhraseVocabulary.shared.set(negationWords)

    /// Phrases that sound like an answer but are not one.
    static let unclearPatterns = [
        "not sure|certain",
        "im|i am? not ~1 sure|certain",
        "maybe|perhaps|possibly|dunno",
        "i do? not|dont know",
        "depends",
        "let me think",
        "what do you mean",
    ]
    static let unclearPhrases = PhraseSet(unclearPatterns, bit: 1 << 6)
    /// Phrases with "no" or "not" in them that mean yes.
    static let yesAfterAllPatterns = [
        "no problem|problemo|worries|doubt",
        "why not",
        "not a problem",
        "of course",
        "dont mind",
        "do not mind",
    ]
    static let yesAfterAll = PhraseSet(yesAfterAllPatterns, bit: 1 << 7)
    static let noPatterns = [
        "no|nope|nah|nay|negative|n|nop|noo|nooo|nevermind",
        "do? not|dont ~1 do|go|proceed|continue|want|cancel|refund|send|charge|change|it|that|yet|now",
        "dont|please|pls stop",
        "never mind",
        "hold on|off",
        "wait",
        "changed my mind",
        "rather not",
        "not really|now|yet|today|right",
        "no thanks|thank",
        "cancel that|it|this",
        "i do? not|dont|didnt want",
        "false",
        "decline|declined|refuse",
        "wrong",
        "incorrect",
        "stop",
        "dont",
    ]
    static let noPhrases = PhraseSet(noPatterns, bit: 1 << 8)
    static let yesPatterns = [
        "yes|yeah|yea|yep|yup|ya|yah|yess|yesss|ye|y|sure|ok|okay|okey|k|kk|alright|affirmative|absolutely|definitely|certainly|indeed|correct|right|confirm|confirmed|agree|agreed|proceed|perfect|great|fine|true|aye|yessir|totally|exactly|precisely",
        "go ahead",
        "go for it",
        "do it|that|so",
        "please do|proceed|go|continue",
        "sounds good|great|fine|right",
        "that works",
        "that is fine|right|correct|ok|okay|good",
        "thats fine|right|correct|ok|okay|good|great|it",
        "lets do|go",
        "of course",
        "i do",
        "you bet",
        "works for me",
        "make it so",
    ]
    static let yesPhrases = PhraseSet(yesPatterns, bit: 1 << 9)
}
