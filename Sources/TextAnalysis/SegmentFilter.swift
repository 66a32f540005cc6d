import Corpus

/// Which turns an analysis looks at: by speaker role (participants only by default), by
/// participant, and by participant attribute values.
public struct SegmentFilter: Sendable, Hashable, Codable {
    public var roles: Set<SpeakerRole>
    /// Only these participants, when set.
    public var participantIDs: Set<String>?
    /// Attribute name → accepted values; a turn passes when its participant has one of them.
    public var attributes: [String: Set<String>]

    public init(
        roles: Set<SpeakerRole> = [.participant], participantIDs: Set<String>? = nil,
        attributes: [String: Set<String>] = [:]
    ) {
        self.roles = roles
        self.participantIDs = participantIDs
        self.attributes = attributes
    }

    public static let everyone = SegmentFilter(roles: Set(SpeakerRole.allCases))

    func accepts(_ segment: Segment, participant: Participant?) -> Bool {
        roles.contains(segment.role) && accepts(participantID: segment.participantID, participant: participant)
    }

    /// The participant and attribute conditions alone (roles are applied per document earlier).
    public func accepts(participantID: String?, participant: Participant?) -> Bool {
        if let participantIDs {
            guard let participantID, participantIDs.contains(participantID) else { return false }
        }
        for (name, values) in attributes {
            guard let value = participant?.attributes[name], values.contains(value) else { return false }
        }
        return true
    }
}
