-- CreateTable
CREATE TABLE "ReferenceGeneration" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "n" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "ReferenceGeneration_pkey" PRIMARY KEY ("id")
);

-- The one row.
INSERT INTO "ReferenceGeneration" ("id", "n") VALUES (1, 0);

-- Every change to the reference data bumps the generation, whoever makes it (the bot, the
-- CLI, an operator's SQL): instances compare it with that of their in-memory copies.
CREATE FUNCTION "bump_reference_generation"() RETURNS trigger AS $$
BEGIN
  UPDATE "ReferenceGeneration" SET "n" = "n" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Campaign_reference_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Campaign"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_generation"();
CREATE TRIGGER "Phase_reference_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Phase"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_generation"();
CREATE TRIGGER "ContentArea_reference_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ContentArea"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_generation"();
CREATE TRIGGER "CommendationForm_reference_generation" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "CommendationForm"
  FOR EACH STATEMENT EXECUTE FUNCTION "bump_reference_generation"();
