-- Certificates per device (contract section 9): simplereenroll supersedes the certificate it was
-- authenticated with. replaces names that certificate's serial on the certificate issued in its place.
-- Unique, so a certificate has at most one successor however many re-enrollments race; a retry after a
-- lost response finds the one issued (NULLs are distinct on both back ends).
ALTER TABLE certificates ADD COLUMN replaces TEXT;
CREATE UNIQUE INDEX certificates_replaces ON certificates (replaces);
