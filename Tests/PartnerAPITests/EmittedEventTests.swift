import Core
import Delivery
import Renders
import Signatures
import Templates
import Testing
import Webhooks

/// Services name the events they emit (`EventType`, declared by the emitting module); the webhook
/// fan-out delivers an event by matching that name with `WebhookEvent`. A name on one side only would
/// be an event nobody can subscribe to, or a subscription nothing emits.
@Suite("Emitted events")
struct EmittedEventTests {
    @Test("every event the services emit is a webhook event, and every webhook event is emitted")
    func namesMatch() {
        let emitted: [EventType] =
            [.templatePublished, .renderSucceeded, .renderFailed, .formSubmitted] + EngagementType.allCases.map(\.event)
            + EventType.signatureEvents
        #expect(Set(emitted.map(\.rawValue)) == Set(WebhookEvent.allCases.map(\.rawValue)))
    }
}
