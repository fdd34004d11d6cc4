DROP TABLE offers;
DROP TABLE draws;
DROP FUNCTION never_deleted();
