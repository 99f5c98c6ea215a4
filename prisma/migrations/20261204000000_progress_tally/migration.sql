-- CreateTable
CREATE TABLE "ProgressOwn" (
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "ProgressOwn_pkey" PRIMARY KEY ("campaignId","unitId","key")
);

-- CreateTable
CREATE TABLE "ProgressTally" (
    "campaignId" INTEGER NOT NULL,
    "unitId" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "n" BIGINT NOT NULL,

    CONSTRAINT "ProgressTally_pkey" PRIMARY KEY ("campaignId","unitId","key")
);

-- CreateIndex
CREATE INDEX "ProgressOwn_unitId_idx" ON "ProgressOwn"("unitId");

-- CreateIndex
CREATE INDEX "TargetResult_targetId_idx" ON "TargetResult"("targetId");


-- What follows keeps both tables true whoever writes the items (the bot, the CLI, another
-- instance, an operator's SQL): statement triggers on the item tables recompute the own
-- tallies of every (campaign, unit) a statement touched and carry the difference to each
-- unit above. The progress of any unit is then one index lookup, where summing over a
-- Confederation-size subtree took about a second.

-- The units above a unit, from its path ("/1/5/23/": 1 at depth 0, 5 at depth 1).
CREATE FUNCTION "unit_ancestors"(p text) RETURNS TABLE ("id" integer, "depth" integer) AS $$
  SELECT a.id::integer, (a.ord - 1)::integer
    FROM unnest(string_to_array(trim(both '/' from p), '/')) WITH ORDINALITY AS a(id, ord)
   WHERE a.ord < cardinality(string_to_array(trim(both '/' from p), '/'))
$$ LANGUAGE sql IMMUTABLE;

-- One writer of the tallies at a time, from its first change to an item table to the end
-- of its transaction: each refresh then starts from what the one before it committed (READ
-- COMMITTED: the statements of the refresh take their snapshot after the lock). Taken
-- before the statement that changes an item (a BEFORE trigger), so that two transactions
-- never hold item rows the other waits for while waiting for this lock. Item changes are
-- few per transaction and short: they would wait for each other on the top units' tally
-- rows anyway.
CREATE FUNCTION "progress_lock"() RETURNS void AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727261, 0);
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION "progress_lock_trigger"() RETURNS trigger AS $$
BEGIN
  PERFORM "progress_lock"();
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Recompute the own tallies of the pairs (cs[i], us[i]) from their items and add the
-- difference to every unit above each. A unit that does not count (closed; a section in a
-- campaign without sections) has no own tallies.
CREATE FUNCTION "progress_refresh"(cs integer[], us integer[]) RETURNS void AS $$
BEGIN
  IF cs IS NULL OR cardinality(cs) = 0 THEN
    RETURN;
  END IF;
  PERFORM "progress_lock"();
  -- Every join below starts from the pairs and reaches the rows through an index (LATERAL:
  -- whatever the planner believes of the number of pairs), so that a refresh costs the same
  -- per pair for one pair or 60,000 (a bulk load).
  WITH pairs AS (
    SELECT DISTINCT p.c, p.u FROM unnest(cs, us) AS p(c, u) WHERE p.c IS NOT NULL AND p.u IS NOT NULL
  ), counted AS (
    SELECT p.c, p.u
      FROM pairs p
     CROSS JOIN LATERAL (
        SELECT 1 FROM "Unit" un, "Campaign" ca
         WHERE un.id = p.u AND ca.id = p.c AND un.status = 'ACTIVE' AND (un.level <> 'SECTION' OR ca."includeSections")
     ) yes
  ), fresh AS (
    -- Per counted pair, its items: LATERAL, so that each is an index lookup from the pair
    -- whatever the planner believes of the number of pairs.
    SELECT k.c, k.u, x.key, sum(x.n)::bigint AS n
      FROM counted k
     CROSS JOIN LATERAL (
        SELECT 'reg:' || r.status AS key, 1::numeric AS n
          FROM "ThemeRegistration" r WHERE r."unitId" = k.u AND r."campaignId" = k.c
        UNION ALL
        SELECT v.key, 1
          FROM "PhaseReport" p JOIN "Phase" ph ON ph.id = p."phaseId"
         CROSS JOIN LATERAL (VALUES ('rep:' || p."phaseId" || ':' || p.status, true), ('late:' || p."phaseId", p.late)) AS v(key, yes)
         WHERE p."unitId" = k.u AND ph."campaignId" = k.c AND v.yes
        UNION ALL
        SELECT v.key, v.n
          FROM "PhaseReport" p JOIN "Phase" ph ON ph.id = p."phaseId" JOIN "ReportFigure" f ON f."reportId" = p.id
         CROSS JOIN LATERAL (VALUES ('fig:' || p."phaseId" || ':' || f.key, f.value::numeric), ('figc:' || p."phaseId" || ':' || f.key, 1::numeric)) AS v(key, n)
         WHERE p."unitId" = k.u AND ph."campaignId" = k.c AND p.status IN ('SUBMITTED', 'APPROVED')
        UNION ALL
        SELECT v.key, 1
          FROM "Nomination" n
         CROSS JOIN LATERAL (VALUES ('nom:' || n.status, true), ('nomw:' || n.status, n."directWorker")) AS v(key, yes)
         WHERE n."unitId" = k.u AND n."campaignId" = k.c AND v.yes
        UNION ALL
        SELECT 'work:' || w.status, 1
          FROM "PlaqueWork" w WHERE w."unitId" = k.u AND w."campaignId" = k.c
        UNION ALL
        -- Targets of a sent or accepted registration; answered by the latest sent or accepted
        -- report that gives a value (values are cumulative for the year).
        SELECT v.key, 1
          FROM "ThemeRegistration" r
          JOIN "Theme" th ON th."registrationId" = r.id
          JOIN "ThemeTarget" tt ON tt."themeId" = th.id
          LEFT JOIN LATERAL (
            SELECT tr.value FROM "TargetResult" tr JOIN "PhaseReport" p ON p.id = tr."reportId" JOIN "Phase" ph ON ph.id = p."phaseId"
             WHERE tr."targetId" = tt.id AND p.status IN ('SUBMITTED', 'APPROVED')
             ORDER BY ph.ordinal DESC
             LIMIT 1
          ) l ON true
         CROSS JOIN LATERAL (VALUES ('tgt:registered', true), ('tgt:reported', l.value IS NOT NULL), ('tgt:reached', l.value >= tt.planned)) AS v(key, yes)
         WHERE r."unitId" = k.u AND r."campaignId" = k.c AND r.status IN ('SUBMITTED', 'APPROVED')
           AND th."removedAt" IS NULL AND tt."removedAt" IS NULL AND v.yes
     ) x
     GROUP BY k.c, k.u, x.key
  ), old AS (
    SELECT p.c, p.u, o.key, o.n
      FROM pairs p CROSS JOIN LATERAL (SELECT o.key, o.n FROM "ProgressOwn" o WHERE o."campaignId" = p.c AND o."unitId" = p.u) o
  ), delta AS (
    SELECT coalesce(f.c, o.c) AS c, coalesce(f.u, o.u) AS u, coalesce(f.key, o.key) AS key,
           f.n AS fresh, coalesce(f.n, 0) - coalesce(o.n, 0) AS d
      FROM fresh f FULL JOIN old o ON o.c = f.c AND o.u = f.u AND o.key = f.key
  ), kept AS (
    INSERT INTO "ProgressOwn" ("campaignId", "unitId", "key", "n")
    SELECT d.c, d.u, d.key, d.fresh FROM delta d WHERE d.fresh IS NOT NULL AND d.d <> 0
    ON CONFLICT ("campaignId", "unitId", "key") DO UPDATE SET "n" = EXCLUDED."n"
  ), dropped AS (
    DELETE FROM "ProgressOwn" o
     WHERE (o."campaignId", o."unitId", o.key) IN (SELECT d.c, d.u, d.key FROM delta d WHERE d.fresh IS NULL)
  ), spread AS (
    SELECT d.c, a.id, a.depth, d.key, sum(d.d)::bigint AS n
      FROM delta d
     CROSS JOIN LATERAL (SELECT un.path FROM "Unit" un WHERE un.id = d.u) un
     CROSS JOIN LATERAL "unit_ancestors"(un.path) a
     WHERE d.d <> 0
     GROUP BY d.c, a.id, a.depth, d.key
  )
  INSERT INTO "ProgressTally" ("campaignId", "unitId", "key", "n")
  SELECT s.c, s.id, s.key, s.n FROM spread s WHERE s.n <> 0 ORDER BY s.depth, s.id, s.key
  ON CONFLICT ("campaignId", "unitId", "key") DO UPDATE SET "n" = "ProgressTally"."n" + EXCLUDED."n";
END
$$ LANGUAGE plpgsql;

-- The item tables: after each statement, refresh the (campaign, unit) of every row it
-- touched, before and after. The argument maps a set of rows (%s: the statement's
-- transition table) to those pairs.
CREATE FUNCTION "progress_items_changed"() RETURNS trigger AS $$
DECLARE
  src text;
  cs integer[];
  us integer[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := format(TG_ARGV[0], 'new_rows');
  ELSIF TG_OP = 'DELETE' THEN
    src := format(TG_ARGV[0], 'old_rows');
  ELSE
    src := format(TG_ARGV[0], 'new_rows') || ' UNION ' || format(TG_ARGV[0], 'old_rows');
  END IF;
  EXECUTE 'SELECT array_agg(z.c), array_agg(z.u) FROM (' || src || ') z' INTO cs, us;
  PERFORM "progress_refresh"(cs, us);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
    ('ThemeRegistration', 'SELECT x."campaignId" AS c, x."unitId" AS u FROM %s x'),
    ('Nomination', 'SELECT x."campaignId" AS c, x."unitId" AS u FROM %s x'),
    ('PlaqueWork', 'SELECT x."campaignId" AS c, x."unitId" AS u FROM %s x'),
    ('PhaseReport', 'SELECT ph."campaignId" AS c, x."unitId" AS u FROM %s x JOIN "Phase" ph ON ph.id = x."phaseId"'),
    ('ReportFigure', 'SELECT ph."campaignId" AS c, p."unitId" AS u FROM %s x JOIN "PhaseReport" p ON p.id = x."reportId" JOIN "Phase" ph ON ph.id = p."phaseId"'),
    ('TargetResult', 'SELECT ph."campaignId" AS c, p."unitId" AS u FROM %s x JOIN "PhaseReport" p ON p.id = x."reportId" JOIN "Phase" ph ON ph.id = p."phaseId"'),
    ('Theme', 'SELECT r."campaignId" AS c, r."unitId" AS u FROM %s x JOIN "ThemeRegistration" r ON r.id = x."registrationId"'),
    ('ThemeTarget', 'SELECT r."campaignId" AS c, r."unitId" AS u FROM %s x JOIN "Theme" th ON th.id = x."themeId" JOIN "ThemeRegistration" r ON r.id = th."registrationId"')
  ) AS v(tbl, pairs) LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "progress_lock_trigger"()', t.tbl || '_progress_lock', t.tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "progress_items_changed"(%L)', t.tbl || '_progress_insert', t.tbl, t.pairs);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "progress_items_changed"(%L)', t.tbl || '_progress_update', t.tbl, t.pairs);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "progress_items_changed"(%L)', t.tbl || '_progress_delete', t.tbl, t.pairs);
  END LOOP;
END
$$;

-- The (campaign, unit) pairs that have items (registration, report, nomination, work) of
-- the units given or in the campaigns given.
CREATE FUNCTION "progress_item_pairs"(units integer[], campaigns integer[]) RETURNS TABLE ("c" integer, "u" integer) AS $$
  SELECT r."campaignId", r."unitId" FROM "ThemeRegistration" r WHERE r."unitId" = ANY(units) OR r."campaignId" = ANY(campaigns)
  UNION
  SELECT ph."campaignId", p."unitId" FROM "PhaseReport" p JOIN "Phase" ph ON ph.id = p."phaseId" WHERE p."unitId" = ANY(units) OR ph."campaignId" = ANY(campaigns)
  UNION
  SELECT n."campaignId", n."unitId" FROM "Nomination" n WHERE n."unitId" = ANY(units) OR n."campaignId" = ANY(campaigns)
  UNION
  SELECT w."campaignId", w."unitId" FROM "PlaqueWork" w WHERE w."unitId" = ANY(units) OR w."campaignId" = ANY(campaigns)
$$ LANGUAGE sql STABLE;

-- Units. A moved unit (each unit of a moved subtree is a row of the statement) carries its
-- own tallies from its old line of units above to its new one; a unit closed, reopened or
-- given another level counts differently from then on.
CREATE FUNCTION "progress_units_changed"() RETURNS trigger AS $$
DECLARE
  cs integer[];
  us integer[];
BEGIN
  IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.path <> o.path AND o.path <> '') THEN
    INSERT INTO "ProgressTally" ("campaignId", "unitId", "key", "n")
    SELECT m.c, m.id, m.key, sum(m.n)::bigint
      FROM (
        SELECT po."campaignId" AS c, a.id, a.depth, po.key, -po.n AS n
          FROM old_rows o JOIN new_rows nw ON nw.id = o.id AND nw.path <> o.path AND o.path <> ''
          JOIN "ProgressOwn" po ON po."unitId" = o.id CROSS JOIN LATERAL "unit_ancestors"(o.path) a
        UNION ALL
        SELECT po."campaignId", a.id, a.depth, po.key, po.n
          FROM old_rows o JOIN new_rows nw ON nw.id = o.id AND nw.path <> o.path AND o.path <> ''
          JOIN "ProgressOwn" po ON po."unitId" = o.id CROSS JOIN LATERAL "unit_ancestors"(nw.path) a
      ) m
     GROUP BY m.c, m.id, m.depth, m.key
    HAVING sum(m.n) <> 0
     ORDER BY m.depth, m.id, m.key
    ON CONFLICT ("campaignId", "unitId", "key") DO UPDATE SET "n" = "ProgressTally"."n" + EXCLUDED."n";
  END IF;
  IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.status <> o.status OR n.level <> o.level) THEN
    SELECT array_agg(z.c), array_agg(z.u) INTO cs, us
      FROM "progress_item_pairs"(ARRAY(SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.status <> o.status OR n.level <> o.level), NULL) z;
    PERFORM "progress_refresh"(cs, us);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Unit_progress_lock" BEFORE UPDATE ON "Unit"
  FOR EACH STATEMENT EXECUTE FUNCTION "progress_lock_trigger"();
CREATE TRIGGER "Unit_progress_update" AFTER UPDATE ON "Unit" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "progress_units_changed"();

-- A campaign that starts or stops including sections and teams: their items count, or not.
CREATE FUNCTION "progress_campaigns_changed"() RETURNS trigger AS $$
DECLARE
  cs integer[];
  us integer[];
BEGIN
  SELECT array_agg(z.c), array_agg(z.u) INTO cs, us
    FROM "progress_item_pairs"(NULL, ARRAY(SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n."includeSections" <> o."includeSections")) z
    JOIN "Unit" un ON un.id = z.u
   WHERE un.level = 'SECTION';
  PERFORM "progress_refresh"(cs, us);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Campaign_progress_lock" BEFORE UPDATE ON "Campaign"
  FOR EACH STATEMENT EXECUTE FUNCTION "progress_lock_trigger"();
CREATE TRIGGER "Campaign_progress_update" AFTER UPDATE ON "Campaign" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "progress_campaigns_changed"();

-- What is there already.
SELECT "progress_refresh"(array_agg(z.c), array_agg(z.u)) FROM "progress_item_pairs"(NULL, ARRAY(SELECT c.id FROM "Campaign" c)) z;
