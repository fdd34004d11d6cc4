DROP TRIGGER countries_catalogue_changed ON countries;
DROP TRIGGER institutions_catalogue_changed ON institutions;
DROP TRIGGER destinations_catalogue_changed ON destinations;
DROP FUNCTION catalogue_changed();
DROP TABLE catalogue_version;
