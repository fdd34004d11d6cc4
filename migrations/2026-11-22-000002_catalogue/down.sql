DROP TABLE students;
DROP TRIGGER countries_search ON countries;
DROP FUNCTION country_search_cascade();
DROP TRIGGER institutions_search ON institutions;
DROP FUNCTION institution_search_cascade();
DROP TABLE destinations;
DROP FUNCTION destination_search_refresh();
DROP TABLE institutions;
DROP EXTENSION IF EXISTS unaccent;
