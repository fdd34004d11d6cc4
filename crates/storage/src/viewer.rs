//! Who is looking: the one value every scoped query takes, so that SPEC.md's access
//! rules ("Faculty scope, exactly") are written into the queries themselves.
//!
//! A caller who may not see a record gets [`StorageError::NotFound`] from the query
//! that looks for it; one who may see it but may not change it gets
//! [`StorageError::Forbidden`].
//!
//! [`StorageError::NotFound`]: crate::StorageError::NotFound
//! [`StorageError::Forbidden`]: crate::StorageError::Forbidden

/// The caller as the access rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// A student: their own records, and what everyone reads.
    Student(String),
    /// A programme's exchange contact: students of these programmes.
    Programmes(Vec<String>),
    /// A faculty's coordinator: the faculty's calls, destinations and students.
    Faculty(String),
    /// The international office: everything.
    Everyone,
}

impl Viewer {
    /// The faculty a coordinator is limited to, if any.
    pub fn faculty(&self) -> Option<&str> {
        match self {
            Viewer::Faculty(f) => Some(f),
            _ => None,
        }
    }
}
