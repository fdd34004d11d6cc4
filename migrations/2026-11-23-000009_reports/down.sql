DROP TEXT SEARCH CONFIGURATION public.abroad_unaccent;
DROP TABLE reports;
DROP FUNCTION report_search_refresh();
