//! Who is calling: the three roles of SPEC.md.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use utoipa::ToSchema;

/// A caller's role, from the token's `role` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A registered student; `sub` is the student number. Sees only their own records.
    Student,
    /// A study programme's exchange contact; acts for the programmes in the `programmes` claim.
    Programme,
    /// The international office; a `faculty` claim narrows it to one faculty.
    Coordinator,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Student, Role::Programme, Role::Coordinator];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Programme => "programme",
            Role::Coordinator => "coordinator",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not one of the three roles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`; expected student, programme or coordinator")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_nothing_else_parses() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("admin".parse::<Role>().is_err());
        assert!("Coordinator".parse::<Role>().is_err());
    }
}
