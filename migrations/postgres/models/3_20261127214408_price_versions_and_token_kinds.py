from tortoise import BaseDBAsyncClient

# Existing prices become versions in effect since 1970-01-01, so they price usage of any
# date as before; existing logs get their applied prices for the new token kinds (the
# input or output price, which is what those tokens cost before they existed).

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "api_provider_pricing" DROP CONSTRAINT IF EXISTS "uid_api_provide_provide_cbb17f";
        CREATE TABLE IF NOT EXISTS "usage_repricing_audit" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "repriced_at" TIMESTAMPTZ NOT NULL,
    "usage_log_id" BIGINT NOT NULL,
    "api_key_id" INT,
    "api_key_name" VARCHAR(100) NOT NULL,
    "old_values" JSONB NOT NULL,
    "new_values" JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_usage_repri_usage_l_d0c5e4" ON "usage_repricing_audit" ("usage_log_id", "id");
COMMENT ON TABLE "usage_repricing_audit" IS 'One usage log''s costs before and after an audited re-pricing. Append-only.';
        ALTER TABLE "api_provider_pricing" ADD "reasoning_token_cost_pico" BIGINT;
        ALTER TABLE "api_provider_pricing" ADD "cached_input_token_cost_pico" BIGINT;
        ALTER TABLE "api_provider_pricing" ADD "cache_write_token_cost_pico" BIGINT;
        ALTER TABLE "api_provider_pricing" ADD "effective_from" TIMESTAMPTZ NOT NULL DEFAULT '1970-01-01T00:00:00Z';
        ALTER TABLE "api_provider_pricing" ALTER COLUMN "effective_from" DROP DEFAULT;
        COMMENT ON COLUMN "api_provider_pricing"."managed_by" IS 'ENVIRONMENT: ENVIRONMENT\nADMIN: ADMIN\nCATALOG: CATALOG';
        COMMENT ON COLUMN "pricing_audit"."action" IS 'UPSERT: UPSERT\nDELETE: DELETE\nINITIALIZE: INITIALIZE\nIMPORT: IMPORT';
        ALTER TABLE "api_usage_logs" ADD "cache_write_token_cost_pico" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "cost_cached_input_pico" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "cost_reasoning_pico" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "tokens_cache_write" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "cached_input_token_cost_pico" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "cost_cache_write_pico" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "tokens_reasoning" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "reasoning_token_cost_pico" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "api_usage_logs" ADD "tokens_cached_input" BIGINT NOT NULL DEFAULT 0;
        COMMENT ON COLUMN "api_usage_logs"."tokens_input" IS 'all prompt tokens, cached ones included';
        COMMENT ON COLUMN "api_usage_logs"."cost_input_pico" IS 'the whole prompt side, cached parts included';
        COMMENT ON COLUMN "api_usage_logs"."cost_output_pico" IS 'the whole completion side';
        COMMENT ON COLUMN "api_usage_logs"."tokens_output" IS 'all completion tokens, reasoning included';
        COMMENT ON COLUMN api_provider_pricing."effective_from" IS 'this version prices usage from then on';
        CREATE UNIQUE INDEX IF NOT EXISTS "uid_api_provide_provide_d8f69a" ON "api_provider_pricing" ("provider", "model_key", "effective_from");
        UPDATE "api_usage_logs" SET "cached_input_token_cost_pico" = "input_token_cost_pico", "cache_write_token_cost_pico" = "input_token_cost_pico", "reasoning_token_cost_pico" = "output_token_cost_pico";"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP INDEX IF EXISTS "uid_api_provide_provide_d8f69a";
        ALTER TABLE "api_provider_pricing" DROP COLUMN "reasoning_token_cost_pico";
        ALTER TABLE "api_provider_pricing" DROP COLUMN "cached_input_token_cost_pico";
        ALTER TABLE "api_provider_pricing" DROP COLUMN "cache_write_token_cost_pico";
        ALTER TABLE "api_provider_pricing" DROP COLUMN "effective_from";
        COMMENT ON COLUMN "api_provider_pricing"."managed_by" IS 'ENVIRONMENT: ENVIRONMENT\nADMIN: ADMIN';
        ALTER TABLE "api_usage_logs" DROP COLUMN "cache_write_token_cost_pico";
        ALTER TABLE "api_usage_logs" DROP COLUMN "cost_cached_input_pico";
        ALTER TABLE "api_usage_logs" DROP COLUMN "cost_reasoning_pico";
        ALTER TABLE "api_usage_logs" DROP COLUMN "tokens_cache_write";
        ALTER TABLE "api_usage_logs" DROP COLUMN "cached_input_token_cost_pico";
        ALTER TABLE "api_usage_logs" DROP COLUMN "cost_cache_write_pico";
        ALTER TABLE "api_usage_logs" DROP COLUMN "tokens_reasoning";
        ALTER TABLE "api_usage_logs" DROP COLUMN "reasoning_token_cost_pico";
        ALTER TABLE "api_usage_logs" DROP COLUMN "tokens_cached_input";
        COMMENT ON COLUMN "api_usage_logs"."tokens_input" IS NULL;
        COMMENT ON COLUMN "api_usage_logs"."cost_input_pico" IS NULL;
        COMMENT ON COLUMN "api_usage_logs"."cost_output_pico" IS NULL;
        COMMENT ON COLUMN "api_usage_logs"."tokens_output" IS NULL;
        COMMENT ON COLUMN "pricing_audit"."action" IS 'UPSERT: UPSERT\nDELETE: DELETE\nINITIALIZE: INITIALIZE';
        DROP TABLE IF EXISTS "usage_repricing_audit";
        CREATE UNIQUE INDEX IF NOT EXISTS "uid_api_provide_provide_cbb17f" ON "api_provider_pricing" ("provider", "model_key");"""


MODELS_STATE = (
    "eJztXW1zm7gW/isavrQ743QcJ026/kZTN/FuYufaZLfTZodRQLaZYIkFESfT2/++kgDzYu"
    "MYHLeyo5lMAElHiPOApPPoHPm7NiU2coN3uuf8iZ60NviuYThF7KSQ0wAa9Lw0nSdQeOeK"
    "otBzzHv0JBLhXUB9aFGWPoJugFiSjQLLdzzqEMxScei6PJFYrKCDx2lSiJ1/Q2RSMkZ0gn"
    "yW8e0fluxgGz2iILn07s2Rg1w711jH5vcW6SZ98kRaF9PPoiC/251pETec4rSw90QnBM9L"
    "O5jy1DHCyIcU8eqpH/Lm89bFT5o8UdTStEjUxIyMjUYwdGnmce/MNE0zzV7fMIcdwzS1Cg"
    "qyCObKZU0NxNOPeRMOWofHp8cfjk6OP7AiopnzlNMf0a1TxUSCQj09Q/sh8iGFUQmh41Sp"
    "4rig1rMJ9JfrNSlf0CxrclGziR5XqTZJSHWbvk8/Q7lT+Gi6CI/phF0eNpsrVPmXPji70A"
    "dvWanf+C0J+wCiL6MXZ7WiPK7vVL+ej0bOYxUNpxIvo+NtvL4a+3bBgxM47J4goNCngIwA"
    "TwyQ5SPxlVVV/1FrDe0ftUqVz7Pyuo/aYgYT2Hp/UgWCBUGZ33Ztgh7B8EI/YG1NUJhNiL"
    "sJFifHa2BxclyKBc8qYGERXkcVEOYSUmvfItMpPAiQB0VjQDSWDnnjAX/4QA79hwHyzWUj"
    "aDkAGZFaCMT9zLYBmE0QZq86bYg3n01R2AUKAMHuE0txAsCf4w0/wDGqA0br/fs10GClSu"
    "EQeXk82JfJNWdCugjJJ5ZDnSlaDktesoCMHYu+S07k+VLWH5XZA9p9Bl/8Dq1QvtG96gwN"
    "/eqa324aBP+6Qn+60eE5LZH6VEh9e1LAaV4J+LtrXAB+Cb72ex2hXhLQsS/umJYzvmq8TT"
    "CkxMRkZkI7M6wmqYnWcqi7MKAmex/r4F6UfQHkf84XujbwOwJ0opOVSPvogdzXwjkvqVCW"
    "DWVun47uM8YUT7iD1v0M+ra5kENapKzsYta0NS2mQMyGLTvWJm9nbLNf+44VqXnBnE+yGs"
    "/Z855PHhybjfJeRuJFbftvWnIPLWk6ZxH4BRqNkEWdB2SOfDLV/lE0wC+kAbIoLc4POzic"
    "Cv12WaMgttASozWVl3q63r/u9PRuG0THW6z3jItB/7p71gbz01t83u+fX3baIDre4qvu0B"
    "jol20Qn9zii5vz827v/LN+xoplLpjsoP8/Jsn+3+Kz/kVnwApEx1v8qdO5HnY6f7ZBcnaL"
    "v/DmfOFt6RusFGsaP9SZqB6erMNfFPvLDH1xUpylRh9sVY4oLyX16wADYTVAe+pgMPMJRc"
    "DhloTvTKfIlsZayHWc1WCIhaRGIX1hEs0DiG3gkhnyDyzI5rxtMJtAylLIfegFYAqpNZEG"
    "HQd7IWXD3j3CTP1slu45FllE6qMzLh+nyqp4fuj6hbjdDD8BD/lAtB6I1jfYBThEB4ctwH"
    "LXhCga3H5vtY6OTlvNo5MP749PT99/aM5HucWsVcPdx+45H/FyACZDYIoaCenGsJXXsRO4"
    "Rc3fNeAsaE2YffQCX91zNdUCUTJz6xdiZM58h6IXgKi8IoVQXYR8BAOCWbs2w2dlNQqduu"
    "gUjOMFSFZTSIvSu0MTa4Kzf0B+wK4BJyZQzN0D/jB8uo4BK7kWeLvONeVsgIgJMu9KjIDn"
    "jfR8DVJbBJ3eX91Bv3fV6RltkLlgBvunq26PGev8wAxs3dAv++fMwo5O5DCb1eJOuer3d3"
    "En9OyaqOclFeqyoL6kXxatl2sJQA9th2rl6wBRfmPVYkDM/5twXnSbHn7ftfQBy9cHHFvj"
    "cujRY2DxycBcIfFjxvdLvhOxpvDIWi0uflRaP1hJzezXEsJPmciWLzRYE4jH9YbGnKTqJG"
    "XpJNcZGllP4kRz9jrz1lRa6jnrzfWwM2DT1ejIF3suO0aHL/Xw4y3u9rpGV7/sfmVp6TlL"
    "v7ruc7noKMcMVq0HqvXAV7geWNNzXK357bSm49CWpe6xpdPCvNAeMZ0b+pgsqrVqd1GU28"
    "PXeCuhJoRV9ADdcJmb/R/Dfq9kCTMnVZxWOxYF/weuE+zg+7xCw1wdualzoti3V/qXos7P"
    "Lvsfi3NiXsHHgv4xmtXQf15K6b+a/uViYgaIx0QJLZWRMfMijXX4GD9b+jlKRutjBHwy49"
    "E/AQIWCTFFPhgTvoDigZlDJwA9IP8JxNWDyKRuA7HIGjCJqQd97gH1rjjdfOm6VRioXP6f"
    "2RetyuJvKiWzw4uEHJkkHdcNX1i9JEvdyOd5K7sqPlsTy7OmS8bbjw7PccfEskLfn3OCGz"
    "LGfCzPVJ4Jf8ve5wXvkCVJtnQLAdhL1q9odSlpdR8xVQS0YoRnXkrecHOZyIK9DaSVScmK"
    "flb0cxn9XJkOlf4l4BEooqViwwAQx6RY0HW5iQUfuNVUB4CtfJrCzTOIfKarjfhFSZktBo"
    "0pn5myzGiN3eODRmTJ2oBgZs462HJDe+0IoV/iQxrrO3LyrwVVKio9VpxfcBFPmeM1d03e"
    "JbSyIQm1MCtW8POQa+7BDHs5HlH8QX04UnmFxkZozD/pWljkpBUS9ZB4rcGOksPyeqMZJQ"
    "dG8mhF1aPJHauo8JE3UlFhowklRj1Sje9lUVjmgUZLd9aMmYHAsdGcF/CgT3eDGBB6jwf7"
    "mqgVpHcEtgxJwKGTHqPciF8TqaV1qO5uU1TiYX4TUApVKEw2wCQd3GsisliBwmMDPCih0K"
    "2LRV5Y5rFFcigSN8KAhL5V4oO9zmJqsRapV9M6X/QzvmkAP9zi4UV/YJg9/arTBuk5X/r8"
    "rN9cGuag/zdf/Zxf3OLyrQc+3nQvjW7P7AyN7pXOQ7uKKZIsk/Ld0diYXzNaZ6m0clxY03"
    "Eh+lYqOanmhVQoyRJ2M+/oVyVsuCC6h3HDOxInnOjkmW2zLeLbNffNzonuIdB7FiAukwv0"
    "AHnl+2kXSjRWuUNHrtA+qr6jhgixiDa6csn4DQ+ZCGgA7tCI+EjshwpHPOYCYiAqRTbw0U"
    "F8n3dA9zyE7QP+sxfLozderuqKXtpz7/B4gFMbe+yubbHKA1ns1Vav586Jqp5b9p477w+d"
    "/7rX//6KksrQr23oqwh2FcGuItg3j6CWTeevLoT9NQIglR1EXDf0PkHHfboJxNS+xBoqlG"
    "usYRMJEdPmMvx3zPy1rKJKsaLftLvQukeU3URsgCMCr5LNcIr7DEaJOWp7o98gUqbGzzM1"
    "RNjikj5qtf9PKqWmmpt6Yu95/M9ugLD3oT2Sw/CavN92AYpX49O2C2AoFxAZoMhPiNdHIS"
    "8nMwBsnvgUgMDBFgKHv582D5qH7A+8vTHOfisuhMiETNY4WZdYyhk0EpNKwueWNxY4dgMQ"
    "H7x5A0bsgAmW5yfY1SYTapOJV7PJhIxOUsotce/dEuXjNi/Y6yLWYVcRm3Ghxtqs5iQV2A"
    "6jyW+gaMwdnIorGlMiMBSNKSMIisaUgK5RNKY0UCgaUyIwFI0pAxSFWXBlHnM+fZYYAo03"
    "cpHJNJrNdrP5VWYqUzFpiklTTJpi0hSTtvdMmo7YyzLRltBncU5j5Y9FpGW2+SMRlQiv18"
    "J2be23Yx6Qv/ynY8o7+oyIzF2NTF09/6gqaDguvofa3UrkAbsjRXgJB1Xu9Z4RUS7vu+Ty"
    "/uM/szfEoA=="
)
