//! Who is calling: the three roles of SPEC.md.

crate::vocabulary! {
    /// A caller's role, from the token's `role` claim.
    pub enum Role ("role", "invalid_role") {
        /// A registered student; `sub` is the student number. Sees only their own records.
        Student = "student",
        /// A study programme's exchange contact; acts for the programmes in the `programmes` claim.
        Programme = "programme",
        /// The international office; a `faculty` claim narrows it to one faculty.
        Coordinator = "coordinator",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_nothing_else_parses() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        assert!("admin".parse::<Role>().is_err());
        assert!("Coordinator".parse::<Role>().is_err());
    }
}
