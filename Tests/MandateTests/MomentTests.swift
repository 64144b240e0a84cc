import MandateRuntime
import Testing

/// Moments are written as text in one place, `UTCMoment`, whatever shows them.
@Suite struct MomentTests {
    @Test func aMomentIsItsDayAndTimeInUTC() {
        let m = UTCMoment(1_795_874_709)   // 2026-11-28 14:05:09 UTC
        #expect(m.day == CalendarDate(year: 2026, month: 11, day: 28))
        #expect(m.inMessages == "2026-11-28 14:05 UTC")
        #expect(m.inListings == "2026-11-28 14:05:09")
        #expect(m.iso == "2026-11-28T14:05:09Z")
    }

    @Test func momentsBefore1970AndAtMidnightFallOnTheRightDay() {
        #expect(UTCMoment(0).iso == "1970-01-01T00:00:00Z")
        #expect(UTCMoment(-1).iso == "1969-12-31T23:59:59Z")
        #expect(UTCMoment(-86_400).iso == "1969-12-31T00:00:00Z")
        #expect(UTCMoment(-86_401).iso == "1969-12-30T23:59:59Z")
        #expect(UTCMoment(86_399).inListings == "1970-01-01 23:59:59")
    }
}
