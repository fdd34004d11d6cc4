//! An application's documents: PDFs with their SHA-256, replaced only while a draft.

use crate::StorageError;
use crate::applications::{
    Application, ApplicationScope, DocumentInfo, accepting, lock, require_draft, scoped,
};
use crate::audit::{self, Actor};
use crate::schema::{application_documents, applications};
use abroad_domain::DocumentKind;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

/// A document as uploaded: its kind, bytes and their hex SHA-256.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub kind: DocumentKind,
    pub content: &'a [u8],
    pub sha256: &'a str,
}

/// The owner uploads (or replaces) a document while the application is a draft.
///
/// The application's row is written too (`updated_at`): a change to what its rules are
/// checked on always writes the row, which is how a submission read before it knows
/// it is out of date (`applications::quick`).
pub fn put_document(
    conn: &mut PgConnection,
    actor: &Actor,
    id: Uuid,
    owner: &str,
    document: &Upload<'_>,
    clock: impl Fn() -> DateTime<Utc>,
) -> Result<DocumentInfo, StorageError> {
    conn.transaction(|conn| {
        let Upload {
            kind,
            content,
            sha256,
        } = *document;
        let (application, call) = lock(conn, id, &ApplicationScope::Student(owner.to_owned()))?;
        require_draft(&application)?;
        let at = clock();
        accepting(&call, at)?;
        let size = i32::try_from(content.len())
            .map_err(|_| StorageError::State("the document is too large".to_owned()))?;
        let before: Option<DocumentInfo> = application_documents::table
            .find((id, kind.as_str()))
            .select(DocumentInfo::as_select())
            .first(conn)
            .optional()?;
        let stored: DocumentInfo = diesel::insert_into(application_documents::table)
            .values((
                application_documents::application_id.eq(id),
                application_documents::kind.eq(kind.as_str()),
                application_documents::content.eq(content),
                application_documents::sha256.eq(sha256),
                application_documents::size.eq(size),
                application_documents::uploaded_at.eq(at),
            ))
            .on_conflict((
                application_documents::application_id,
                application_documents::kind,
            ))
            .do_update()
            .set((
                application_documents::content.eq(content),
                application_documents::sha256.eq(sha256),
                application_documents::size.eq(size),
                application_documents::uploaded_at.eq(at),
            ))
            .returning(DocumentInfo::as_returning())
            .get_result(conn)?;
        diesel::update(applications::table.find(id))
            .set(applications::updated_at.eq(diesel::dsl::now))
            .execute(conn)?;
        audit::record(
            conn,
            actor,
            "application.document_uploaded",
            "application",
            &id.to_string(),
            before.as_ref(),
            Some(&stored),
        )?;
        Ok(stored)
    })
}

/// A document's bytes, for those who may see the application.
pub fn get_document(
    conn: &mut PgConnection,
    id: Uuid,
    scope: &ApplicationScope,
    kind: DocumentKind,
) -> Result<(DocumentInfo, Vec<u8>), StorageError> {
    let application: Application = scoped(scope).filter(applications::id.eq(id)).first(conn)?;
    Ok(application_documents::table
        .find((application.id, kind.as_str()))
        .select((DocumentInfo::as_select(), application_documents::content))
        .first(conn)?)
}
