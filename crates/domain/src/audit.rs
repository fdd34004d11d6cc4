//! What the audit log records changes of.

crate::vocabulary! {
    /// A kind of object whose changes the audit log keeps.
    pub enum EntityType ("kind of audited object", "invalid_entity_type") {
        Country = "country",
        Programme = "programme",
        Institution = "institution",
        Destination = "destination",
        Student = "student",
        Call = "call",
        Application = "application",
        Offer = "offer",
        Nomination = "nomination",
        Activity = "activity",
        Report = "report",
    }
}
