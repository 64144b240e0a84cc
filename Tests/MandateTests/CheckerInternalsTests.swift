@testable import MandateCompiler
import Testing

/// The checker's fast paths give what the plain ones give.
@Suite struct CheckerInternalsTests {
    /// Value sets past the first 64 values behave as sets: equal contents are equal values.
    @Test func valueSetsPastOneWord() {
        var a = ValueSet([1, 63, 64, 130])
        let b = ValueSet([130, 2, 64])
        #expect(a.members == [1, 63, 64, 130])
        #expect(a.contains(130) && !a.contains(129) && !a.contains(500))
        #expect(a.intersection(b) == ValueSet([64, 130]))
        #expect(a.subtracting(b) == ValueSet([1, 63]))
        #expect(a.subtracting(ValueSet([64, 130])).hashValue == ValueSet([1, 63]).hashValue)
        #expect(a.union(b).members == [1, 2, 63, 64, 130])
        #expect(ValueSet([200]).subtracting(ValueSet([200])).isEmpty)
        #expect(ValueSet([200]).intersection(ValueSet([199])) == ValueSet())
        a.formUnion(ValueSet([300]))
        #expect(a.members == [1, 63, 64, 130, 300])
    }

    /// An ASCII example splits into the same words as by Unicode letters and digits.
    @Test func exampleWordsFastPath() {
        for text in ["Where is my ORDER 17902?", "can't find it\r\nat all", "refund--order  45326 please!", "", "'tis 3x"] {
            let slow = text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "'" }.map(String.init)
            #expect(PolicyChecks.normalized(text) == slow, "\(text)")
        }
        #expect(PolicyChecks.normalized("Où est ma COMMANDE") == ["où", "est", "ma", "commande"])
    }
}
