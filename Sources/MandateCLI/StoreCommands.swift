import ArgumentParser
import Foundation
import MandateIR
import MandateRuntime
import MandateStore

extension Commands {
    /// The store `trace` and `ledger` read when none is named.
    public static let defaultStore = ".mandate/mandate.sqlite"

    static func openStore(_ path: String, console: Console) -> SQLiteStore? {
        guard FileManager.default.fileExists(atPath: path) else {
            console.err("error: there is no store at `\(path)`; conversations are saved with `mandate run --store \(path)`\n")
            return nil
        }
        do { return try SQLiteStore(path: path) } catch {
            console.err("error: the store `\(path)` cannot be read: \(error)\n")
            return nil
        }
    }

    /// `mandate trace CONVERSATION`: every decision of a stored conversation, with its rule and source line.
    public static func trace(conversation: String, store path: String, json: Bool, console: Console) -> MandateExit {
        guard let store = openStore(path, console: console) else { return .inputUnreadable }
        do {
            let events = try store.trace(conversationID: conversation)
            guard !events.isEmpty else {
                let known = try store.conversations().map(\.id)
                console.err("error: no conversation `\(conversation)` in `\(path)`" + (known.isEmpty ? "\n" : "; it has " + known.suffix(10).joined(separator: ", ") + "\n"))
                return .usage
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for e in events {
                if json { console.out(String(decoding: try encoder.encode(e), as: UTF8.self) + "\n") } else { console.out(e.line + "\n") }
            }
            return .clean
        } catch {
            console.err("error: \(error)\n")
            return .internalError
        }
    }

    /// `mandate ledger [--customer ID]`: refunds and limited actions, with each customer's refunds against the limits.
    public static func ledger(customer: String?, store path: String, json: Bool, console: Console) -> MandateExit {
        guard let store = openStore(path, console: console) else { return .inputUnreadable }
        do {
            let entries = try store.ledger(customerID: customer, since: Int64.min)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                console.out(String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n")
                return .clean
            }
            if entries.isEmpty {
                console.out(customer.map { "no ledger entries for \($0)\n" } ?? "the ledger is empty\n")
                return .clean
            }
            console.out("when (UTC)            customer   action                      scope              amount\n")
            for e in entries {
                let time = UTCMoment(e.at).inListings
                console.out(time.padding(toLength: 22, withPad: " ", startingAt: 0) + e.customerID.padding(toLength: 11, withPad: " ", startingAt: 0)
                            + e.action.padding(toLength: 28, withPad: " ", startingAt: 0) + e.scope.padding(toLength: 19, withPad: " ", startingAt: 0)
                            + (e.amount?.description ?? "—") + "\n")
            }
            var totals: [String: [String: Int64]] = [:]
            for e in entries { if let a = e.amount { totals[e.customerID, default: [:]][a.currency, default: 0] += a.minor } }
            if !totals.isEmpty {
                console.out("\nrefunded, all time:\n")
                for (c, byCurrency) in totals.sorted(by: { $0.key < $1.key }) {
                    for (cur, minor) in byCurrency.sorted(by: { $0.key < $1.key }) { console.out("  \(c)  \(Money(minor: minor, currency: cur))\n") }
                }
            }
            return .clean
        } catch {
            console.err("error: \(error)\n")
            return .internalError
        }
    }
}

struct Trace: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Print every decision of a stored conversation, with its rule and source line.")
    @Argument(help: "The conversation's id.") var conversation: String
    @Option(name: .long, help: "The store (default: .mandate/mandate.sqlite).") var store: String = Commands.defaultStore
    @Flag(name: .long, help: "One JSON object per event.") var json = false
    func execute(_ console: Console) -> MandateExit { Commands.trace(conversation: conversation, store: store, json: json, console: console) }
}

struct Ledger: ParsableCommand, MandateRunnable {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Show refunds and limited actions recorded in the ledger, and each customer's refunds.")
    @Option(name: .long, help: "Only this customer.") var customer: String?
    @Option(name: .long, help: "The store (default: .mandate/mandate.sqlite).") var store: String = Commands.defaultStore
    @Flag(name: .long, help: "The entries as JSON.") var json = false
    func execute(_ console: Console) -> MandateExit { Commands.ledger(customer: customer, store: store, json: json, console: console) }
}
