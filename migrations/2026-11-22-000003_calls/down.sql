DROP TABLE application_documents;
DROP TABLE application_choices;
DROP TABLE applications;
DROP TABLE call_places;
DROP TABLE calls;
