-- Data of the procedure (issue 7), for databases made before it.

-- 1. Tổng Liên đoàn is the root of the tree. Real units whose tree has no confederation
--    unit get one ("TLD"), and every real root is moved under it (history kept).
INSERT INTO "Unit" ("code", "name", "level", "parentId", "path", "depth", "demo")
SELECT 'TLD', 'Tổng Liên đoàn Lao động Việt Nam', 'CONFEDERATION', NULL, '', 0, false
 WHERE EXISTS (SELECT 1 FROM "Unit" WHERE "parentId" IS NULL AND NOT "demo" AND "level" <> 'CONFEDERATION')
   AND NOT EXISTS (SELECT 1 FROM "Unit" WHERE "level" = 'CONFEDERATION' AND NOT "demo" AND "parentId" IS NULL)
ON CONFLICT ("code") DO NOTHING;

CREATE TEMP TABLE "_tld" ON COMMIT DROP AS
SELECT "id", '/' || "id" || '/' AS "path" FROM "Unit"
 WHERE "level" = 'CONFEDERATION' AND NOT "demo" AND "parentId" IS NULL ORDER BY "id" LIMIT 1;

UPDATE "Unit" u SET "path" = t."path" FROM "_tld" t WHERE u."id" = t."id" AND u."path" = '';
INSERT INTO "UnitParentHistory" ("unitId", "parentId") SELECT "id", NULL FROM "_tld" t
 WHERE NOT EXISTS (SELECT 1 FROM "UnitParentHistory" h WHERE h."unitId" = t."id");

CREATE TEMP TABLE "_roots" ON COMMIT DROP AS
SELECT u."id" FROM "Unit" u, "_tld" t WHERE u."parentId" IS NULL AND NOT u."demo" AND u."id" <> t."id";

UPDATE "UnitParentHistory" h SET "validTo" = now()
  FROM "_roots" r WHERE h."unitId" = r."id" AND h."validTo" IS NULL;
INSERT INTO "UnitParentHistory" ("unitId", "parentId") SELECT r."id", t."id" FROM "_roots" r, "_tld" t;
-- Every unit of those trees: its path gains the root in front, one level deeper.
UPDATE "Unit" u SET "path" = rtrim(t."path", '/') || u."path", "depth" = u."depth" + 1
  FROM "_tld" t WHERE NOT u."demo" AND u."id" <> t."id" AND split_part(u."path", '/', 2)::int IN (SELECT "id" FROM "_roots");
UPDATE "Unit" u SET "parentId" = t."id" FROM "_tld" t WHERE u."id" IN (SELECT "id" FROM "_roots");

-- 2. What is under review waits at the direct upper unit of its sender.
UPDATE "ThemeRegistration" r SET "atUnitId" = u."parentId" FROM "Unit" u WHERE u."id" = r."unitId" AND r."status" = 'SUBMITTED';
UPDATE "PhaseReport" r SET "atUnitId" = u."parentId" FROM "Unit" u WHERE u."id" = r."unitId" AND r."status" = 'SUBMITTED';
UPDATE "Nomination" r SET "atUnitId" = u."parentId" FROM "Unit" u WHERE u."id" = r."unitId" AND r."status" = 'SUBMITTED';
UPDATE "PlaqueWork" r SET "atUnitId" = u."parentId" FROM "Unit" u WHERE u."id" = r."unitId" AND r."status" = 'REGISTERED';
-- An accepted registration goes on towards TLĐ: it waits at the level above the one that accepted it.
UPDATE "ThemeRegistration" r SET "atUnitId" = p."parentId"
  FROM "Unit" u JOIN "Unit" p ON p."id" = u."parentId" WHERE u."id" = r."unitId" AND r."status" = 'APPROVED' AND u."level" <> 'SECTION';
-- A work approved by an upper-grassroots union (now PROPOSED) waits at the level above it;
-- one the sector union had proposed to TLĐ waits at TLĐ.
UPDATE "PlaqueWork" w SET "atUnitId" = p."parentId", "occasionLevel" = 'SECTOR'
  FROM "Unit" u JOIN "Unit" p ON p."id" = u."parentId" WHERE u."id" = w."unitId" AND w."status" = 'PROPOSED' AND p."level" <> 'SECTOR';
UPDATE "PlaqueWork" w SET "atUnitId" = split_part(u."path", '/', 2)::int, "occasionLevel" = 'CONFEDERATION'
  FROM "Unit" u JOIN "Unit" p ON p."id" = u."parentId" WHERE u."id" = w."unitId" AND w."status" = 'PROPOSED' AND p."level" = 'SECTOR';
-- A nomination approved before was announced as commended by the level that approved it.
UPDATE "Nomination" n SET "grantedFormId" = n."formId", "grantedByUnitId" = (
  SELECT d."reviewerUnitId" FROM "ReviewDecision" d WHERE d."subjectType" = 'NOMINATION' AND d."subjectId" = n."id" AND d."decision" = 'APPROVE' ORDER BY d."at" DESC LIMIT 1)
 WHERE n."status" = 'APPROVED';

-- 3. Each item's path starts with its sending (older items did not record it).
INSERT INTO "ReviewDecision" ("subjectType", "subjectId", "decision", "reviewerId", "reviewerUnitId", "toUnitId", "at")
SELECT 'REGISTRATION'::"SubjectType", r."id", 'SUBMIT'::"Decision", r."submittedById", r."unitId", u."parentId", r."submittedAt"
  FROM "ThemeRegistration" r JOIN "Unit" u ON u."id" = r."unitId" WHERE r."submittedAt" IS NOT NULL
UNION ALL
SELECT 'REPORT'::"SubjectType", r."id", 'SUBMIT'::"Decision", r."submittedById", r."unitId", u."parentId", r."submittedAt" FROM "PhaseReport" r JOIN "Unit" u ON u."id" = r."unitId"
UNION ALL
SELECT 'NOMINATION'::"SubjectType", r."id", 'SUBMIT'::"Decision", r."submittedById", r."unitId", u."parentId", r."submittedAt" FROM "Nomination" r JOIN "Unit" u ON u."id" = r."unitId"
UNION ALL
SELECT 'WORK'::"SubjectType", r."id", 'SUBMIT'::"Decision", r."submittedById", r."unitId", u."parentId", r."submittedAt" FROM "PlaqueWork" r JOIN "Unit" u ON u."id" = r."unitId";

