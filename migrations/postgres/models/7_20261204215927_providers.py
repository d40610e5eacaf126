"""Providers become data: a `providers` table seeded with the ten built-in providers
(huggingface priced from mistral), and every provider column holds a lowercase slug.

Self-contained: the SQL below depends on no other migration than 0-5. Existing values
(the former enum names, OPENAI ...) are lower-cased in place. Downgrading turns the ten
built-in slugs back into enum names; rows of other providers must be removed first
(their slugs may not fit VARCHAR(16)).
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "providers" (
    "id" VARCHAR(64) NOT NULL PRIMARY KEY,
    "display_name" VARCHAR(100) NOT NULL,
    "priced_from" VARCHAR(64),
    "managed_by" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "providers"."id" IS 'lowercase slug: openai';
COMMENT ON COLUMN "providers"."priced_from" IS 'the provider whose price rows price this one''s models; null: its own';
COMMENT ON COLUMN "providers"."managed_by" IS 'BUILTIN: BUILTIN\nADMIN: ADMIN\nCATALOG: CATALOG';
        ALTER TABLE "budgets" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "budgets"."provider" IS NULL;
        ALTER TABLE "budget_reservations" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "budget_reservations"."provider" IS NULL;
        ALTER TABLE "api_provider_pricing" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "api_provider_pricing"."provider" IS NULL;
        COMMENT ON COLUMN "pricing_audit"."action" IS 'UPSERT: UPSERT\nDELETE: DELETE\nINITIALIZE: INITIALIZE\nIMPORT: IMPORT\nPROVIDER_ADD: PROVIDER_ADD\nPROVIDER_RENAME: PROVIDER_RENAME\nPROVIDER_REMAP: PROVIDER_REMAP';
        ALTER TABLE "pricing_audit" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "pricing_audit"."provider" IS NULL;
        ALTER TABLE "api_usage_logs" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "api_usage_logs"."provider" IS NULL;
        ALTER TABLE "usage_rollup_daily_user" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "usage_rollup_daily_user"."provider" IS NULL;
        ALTER TABLE "usage_rollup_hourly" ALTER COLUMN "provider" TYPE VARCHAR(64) USING "provider"::VARCHAR(64);
        COMMENT ON COLUMN "usage_rollup_hourly"."provider" IS NULL;
UPDATE "api_provider_pricing" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
UPDATE "api_usage_logs" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
UPDATE "usage_rollup_hourly" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
UPDATE "usage_rollup_daily_user" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
UPDATE "pricing_audit" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
UPDATE "budgets" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
UPDATE "budget_reservations" SET "provider" = LOWER("provider") WHERE "provider" <> LOWER("provider");
INSERT INTO "providers" ("id", "display_name", "priced_from", "managed_by", "created_at", "updated_at") VALUES
    ('openai', 'OpenAI', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('anthropic', 'Anthropic', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('google', 'Google', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('mistral', 'Mistral', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('huggingface', 'Hugging Face', 'mistral', 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('groq', 'Groq', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('cohere', 'Cohere', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('deepseek', 'DeepSeek', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('xai', 'xAI', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    ('other', 'Other', NULL, 'BUILTIN', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)
ON CONFLICT ("id") DO NOTHING;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
UPDATE "api_provider_pricing" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');
UPDATE "api_usage_logs" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');
UPDATE "usage_rollup_hourly" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');
UPDATE "usage_rollup_daily_user" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');
UPDATE "pricing_audit" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');
UPDATE "budgets" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');
UPDATE "budget_reservations" SET "provider" = UPPER("provider") WHERE "provider" IN ('openai', 'anthropic', 'google', 'mistral', 'huggingface', 'groq', 'cohere', 'deepseek', 'xai', 'other');

        ALTER TABLE "budgets" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "budgets"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        ALTER TABLE "api_provider_pricing" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "api_provider_pricing"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        ALTER TABLE "api_usage_logs" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "api_usage_logs"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        COMMENT ON COLUMN "pricing_audit"."action" IS 'UPSERT: UPSERT\nDELETE: DELETE\nINITIALIZE: INITIALIZE\nIMPORT: IMPORT';
        ALTER TABLE "pricing_audit" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "pricing_audit"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        ALTER TABLE "budget_reservations" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "budget_reservations"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        ALTER TABLE "usage_rollup_hourly" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "usage_rollup_hourly"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        ALTER TABLE "usage_rollup_daily_user" ALTER COLUMN "provider" TYPE VARCHAR(16) USING "provider"::VARCHAR(16);
        COMMENT ON COLUMN "usage_rollup_daily_user"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
        DROP TABLE IF EXISTS "providers";"""


MODELS_STATE = (
    "eJztXW1zm7gW/isaf2k743Tynq77yU3cje8mccZx2t5udhgCcswESyyCONm9/e9XR4B5MT"
    "iA7UR2NJOJsdAR+DxCOu/82xhTE9vsY9vGrtd5wMRrtNC/DaKPMT/IOdtEDd1x4nPQ4Om3"
    "tuh+65t32NN06K5h6C/O67fMc3UDhh7qNsO8ycTMcC3HsygBwjbyRi5mI2qbyHApY9hEFk"
    "E6CkZEE4uYdNJCuofGlHmIEowc7Ianm+H5ZjzKR7iuSQ1+YYvcre4SPrH+9rHmUd5nhF1+"
    "oT//jNhgmdAjoNOYp7uCe1P6xl9/8a/8LH7EDAjhq3OvDS3MTyZRCAYS7Zr35Ii2L9Zdl3"
    "hfRV/4qbeaQW1/TOL+zpM3omRKYAXg3WGCXd3DcAXP9QEL4tt2iGAET/Cz4i7BXSZoTDzU"
    "fRsQBergBuK2hqZd9AbaVWegaY0ZtCOKBDphk0EJzBQL5g0w4A5uYeu33d29vaPd7b3DTw"
    "f7R0cHn7Y/8b7ifmdPHf0KbibmVjCU4Fn39+7FAG6I8ukYTFlo+CVodE8PqAQYMffFPNby"
    "MDge6W4+AkmaDA78B2ZxiLj+0kA0HP/WtgxkmU2EHzzt48eZx6YAmLH+qNmY3Hkj/nV/ew"
    "7Pv7X7x6ft/vv97Q9pxl+EZ3bFKYAgZnnqAUrzvHDSp2ien/tleB41xEyPl6+Xm/67O/tH"
    "+5/2Dvens37aMm+yRxM75mp2JSq/oGQpN4m9L7K6xCDEy/8MAldj3bYLMUgRbhIAe7tHh1"
    "OWw5d5TL46b5+dzXLVcDH8bk3Pmdgn/IxnjXE+W9OUGb6aIenH6GANuTyHmYPueedq0D6/"
    "hOHHjP1tC361Bx04sytanzKt7w8z6/h0EPS9OzhF8BX97F10BDu5IHXniivG/QY/G3BPuu"
    "9RjfBVRTeTPImao6YUzI7+ZFM959EZ4MeCxyZBspyNeDVw8scbowm+HVF6j26p+dREQ5f+"
    "gwnIo2KOQr+FAe/8GKSwjjbh9+ftHx9SeJ/1Ln6Puic27eOz3hf+7IGoOrxPiEvQcKsb9x"
    "PdNbWZM3SXFvWdPTXeHWdbdKLfCVbDL4bfF+kljvUHfmrkaSzBmbnaiu5Y2j1+KqeiFD9v"
    "OSrAIoL9W5HqFxRriuV18VlBVo/6y7w8lGduSjLf2S4jmvNehbK5OJfeax0XD63HKhyOKS"
    "TWhWABfrCYxa+JhKCL6BBBI8N8/fXqKEZ7uyW4v7dbyHw4leZ9cC8aG+m7B4dVIJghlHm2"
    "N0b4EV2dtrf4vUYoTLjouwgWh/slsDjcL8QCTmWwMCiMUQWEKYXU3DfoeKxvMezo4mZQsJ"
    "dewc0j+PFMDv77DLsVzTIJkloIhOvMqgGYjLjcx8DoCDOfiyj8C2aIEvuJt1gMwe94Bx9c"
    "LKoDxu7BQQk0eK9COMQ5pYOV3ZX5DzR7HL5wDq2JThZO97kqma0zT+PzsQ7uWdolIP8yT+"
    "ibVL5d/EDva+GcplQoy4ayJNr8F2HBb+Ro8+GZ5vO+x9L+RuZgYiLbGlvg6kM6EsIZeq/b"
    "drCvNnkb7LOIukgnqH3ZhZ34Q1M4BQ2d76Wm7oZewTxv4/IvoAwNytAgzZr3AoaGjRXwaz"
    "J5JVJ7aASt5mtNE9VyRsnG6SX7Wh2XPlgmdquZyWKazZu9yzcACCGgCoOnBBJzt6Ez5GKD"
    "uiaGqIxHLsagse4ZI2n0fCHSaI5l0FnezwsiSNPJ7MFuXF+dhJIbyGJR5JdF0A7e2tlF/H"
    "RJNF4lxIDfs0ULts0O8ccCni6/UZ0YeHYVmlLLLKdwZem/LcT/3ZDvnc4fLQT/b8h572Jw"
    "2kLi44acdb8KhaqFoqM6D9HOYRnRJquzJSSbw+wTBFqu9g8llaTHFJHM0EizP/DpPaKuZu"
    "pPs3yeH2uTppR6qQpnPL9VtLO1t/MZBY9D96qHJhjfB+1HlZarZQTkhBwcUT9HBCrF/IhU"
    "au7blCvqCG4VbW/t7kGwxmRkGaNwz2BoGjL3otwHQafu+h/RyrzENPgTf9JC8P+GXPW+Dl"
    "oI/tdZ3T+VWHU+FS46n2aW9ihKr5JjME0lNeezzkEuLhiYePpdPbeg8kQpT1SqX31PlO+Y"
    "NVFPUyrUZUE9x2Eh7l4qf0XbN605TovgdLNM1tS057Puix7BiI+HibklggJcOknkKiFjpJ"
    "M7POuUKE/2vKvh30bMpXTuBf8PffGjw1Fm/I6nnAwZFM7R6AFriM78F4svv1QWlJRZUMHk"
    "qLWnpijV6irL6lpmT+WrUBh3XkeViKmlFmmP+x3O6hYKPm/I9eWJ+B583pCTzlkHvgefcp"
    "iQVIZcYwVeG+UMWylbqzrMs3QyryIyOc4pH+hBt/286OT/XPUu8rmdpsru05bhof8h22Jr"
    "OJ/ncBjYkdqLZzKisslPmU0WBviS4T/Bkxr8T1Mp/lfjv1Q64SnN6C6zZ5slNMKpRbBMQB"
    "vnB3YfRJ7gO4b0MfWJh0b8psFvCcUsUnUuPiMDOoRB5fzIspHlIa60WXygvHi2pY+/iI6Z"
    "TUgPxwUdYxHdEx7ixCUTP1lTWu0marUZhCvIJrOUGyidqMoe6yFgq8oeEoTdBFtijcCoDK"
    "GCoDYECTGgEgJpOpkBgEReSkyGmEUMLPIDr4n1iLBDjRF6fz04/lDSQPViAEklmffjbbtR"
    "KKAnO5WR0xOyQFlxnSDd57PMtf7BJiR72FymFqXpKBGgQmhDKFEz3qB74Lixn5qhKB1FiE"
    "LuiIttrDOcV/JuVVdZciZKsZQlewW1V5arigVbvqF7fkEMyvOG+5haZqG2cdo5gygg/v+G"
    "9DvHvf5Jh3+PjqDtrNO+CtqCoxvS+XHZ7UNTeCCHOV/JDq8uO6hsI5Vt9MIzfL2zjaRbNj"
    "Yr3Uhu9qq4TWlcKDLFlORE7M0GlczT0ufDPFdPVzDLBbNh03plYVKEqlqIbBhLZc/5LuzX"
    "VxDT2ii05yQ7NUvYcyKj+JTgWXvOd7CdxE7Qdyx0g6KRzkQlEK8lDC4QcSvsLGB52QpSTI"
    "0RNu4ZsqlxP2vCWebAFd9VoF5PIJGeWmzpUR61xgo0qrfhUVtDb0IOSOEqXRmikE5igwIX"
    "eA3bZ9YD/iyo0ZC6VXPZXwUZsTPVMGem6WR+dKTcJRI6FuPCsVCJq4MwSyszEKJwsxPWa4"
    "7nD5TPH6Pop5TNTX1rTtFL1zIChsyIztGpuQIzmGYjQyI/iCmWWk7/z5SxUtwGGIThCx4O"
    "seHxBVIDvBeTWd+KwLqygnjKDP1SZujKqRRpKpkZDQWwYEnXzbFF0MSlHkYWlMJ2rfEYm3"
    "X8tSsxVqeWoWowhERSoxBPmIjzSId6pnSC3S0DIkFaaAIGB5vSe99hkhUps4jje3wTuceE"
    "s5/VkUULh5BaGoLSZZDTLe4eibtfn8pl1PcWhq14jLXALbj9dQPO0I0R1xeW8NQ9N5LE2r"
    "rkKqHgrDZxLQ8vAaLigRRCdRFysc4o4fe1GD5zh1Ho1DappFXNGUiecV3PUK+P+7ohXjrz"
    "gF3Ie0Og5uPw5TOBlcWD99Us4/WE6+D+TOkAgV1Fuy1QAkpU20uNILVG0Ln41u33Ls47F4"
    "MWSny5Ie2T8+5FC4mPG3LcHrTPer+3UHhQRydYfoStii0qZv3m1q9RNeE2DfWcdVmmmnCh"
    "1bywKFzqfHOeaT20plcoC1fJpj4v1b7Q2q6S4NdXkFWl3d7OIqlKu0VWtcurTn8ApdzgM1"
    "vK7YZ0L7qDbvus+5O3xce8/fyyB3TB5w257Pe+dU86fa19ctJCyW+Jc/3ORRteNpBpSPU4"
    "b1+mOvDvcsjHynenfHcblUyy2f45mTitkvpWEoKqqiaqqomS5qmoqokbwn+5rCZ9/GCxgs"
    "os2S7NMrYTN9m7VFV9yKOZjCjDQf1C7KI7Cs4OB00sb4TwA3afUDh8WDC/hYRDlHGKsaO7"
    "EK2UX3p/iWOrVwHLFfmYnGhVHLUxlczBKRLas6RZuAINuC+MLDmLVnz6mQUr6FiufNQiht"
    "5K68L6FmZqiEBFiFNEzPbvWog6mOhWHVvLsswAxauHaTHH1qtL+lk6JemXk/RFBINZEMYx"
    "z9yVIpO45E+QExOuKaHMIe4eZBAWHoqgDkrwO4aCFSnIMWtxGYO3T0qGc6zcZPaWQiy+XH"
    "fPBhBKER6o0ArlP5LVf6RCKzYNdclDK64h4PCM5iYrTs/NlbLBMirCFjWb3q1e1E7FVFDD"
    "8F13OusXjKTIvKggUYgweZ0lXiHp6lvRJabl0pY1vgo3kTLcxMWcFSy/Ysm89y0kqeRVPG"
    "VyzKmSpi/AZBU4oWpvLqKmiztFItE2zHyGQu3gHNAfwN5fR8dbyUQXyUQsyMyrtn9mKWW2"
    "dTc488F0MnbCJEzWDHwwUDQfM2QRw/bN0nnor5KpFPI7SCWtBVVMKj1W4BmzMbRM8ZomwK"
    "0TWsnE11qYZQd4OeS2N0BezccjyHKtD0dMr9BYCI3pI10LixS1QqIeEm+1pIbksLzdmhmS"
    "AyN5TQy1osldEUPhI289DIVNQzAxWJFqPC+zxDJvNMJOMxlRG0eWAWaZeGoXgOKj62EYEH"
    "wPN/uaqGWo1wS2hJEAoJMeo9SOXxOp3DHUcrcoKuE2vwgomSEUJgtgEm/uNRGZHUDhsQAe"
    "HvV0uy4WaWKZ9xbJoYgSYBj1XaMgpvj5yMnZUaT2pnV+tI+hNBV83JCr015/oAUZ+fExlA"
    "D42r4+G2j93neoAzD9ckOKC1yF4Zha52rQPW9DAYFsSx0v3fIjMUUNXr7n18wzz6VWYQAl"
    "wwCCZ6VSelWaSCVB51g302FzVcJMM6QbGGe6vnGls+HEqojASp4fFxvUNWs9PxnSDXx+1j"
    "ROuyg6X6Y47T52il8tk+nRnBezHcRru7h6OTyRcx1UqbXp3TvIoWYeQ7d4SF0sXmagDyEJ"
    "WydIDIpN5OKt8DofUduB1z9uUT498tO5lzd0xVDyaQh7uO6pqnzrq7LNC5MO8w3rrNwpUr"
    "Vyy75yp4O20093+ecvS6nsJ7XtJ0oaXYk0qkpavbGSVrLxfA6LN7Om1VsEQCo9iNq275zo"
    "lv10zYRoX6ANZfo1S+hEgkQzgUbzI6Ilv3jz1jfusccvIooniOywqDpmtkh40JjyGKhXyE"
    "sk3TybkZmzRs0Pq4qplKi5aID7hqdVrQcIG58xtR4wqFQoCfFQqVCSoKFSoV4dibcU/LwO"
    "ULyZkOZ1AENFAMoARVpxL49Cmk5mALg++8QQs4iB0c5vR9tb2zv8D72/Hhx/yDpsZUImaU"
    "QpawBPGV4kNn6LlAu4WWSZTURd9O4dGvIPQknZpAtVsUdV7Nk09q404lTFeG98jLfEHo0B"
    "CGyNkm6NoHOzhm8jEAxf0MOhXBcSCU/KdSERGMp1ISMIynUhBQzKdSEhHsp1IQkaynXx6k"
    "go14VcUCjXhURgKNeFDFAo14WsyCjXxSvbfDHzrLF4edJC69XcYaR+cMSL7XTXQ3SIMvce"
    "vNbORLdPdS23b+3tpQkT7Sn1XZFNN8+OG3ZqlrbfjmKC1Vht4QJizqpg9PXa7ZVFVyIwlE"
    "VXRhCURVcKGJRFV0I8lEVXEjSURffVkVAWXbmgUBZdicBQFl0ZoMho65VNulM1X2IIGnCT"
    "s0bdwfZ2a3v7p2wWKBUPreKhVTy0iodW8dAL2M+/49sRpfcn2LYesJtrPc92ac6znU+Czh"
    "x90dsK6v+UK3SJHzCBN9bCW2oRJqZDOQDwKlSODjbRxPJGCH41HQ6RTzzLRuFV4MW2Lh/Z"
    "srGZX+hyeUNXLHTJH1HPFzwg+NHTdM/DYwc+F6p3CWtG4iLi12mqhub6ypnFvoQptpUwSF"
    "LJLHFKCUaC+eFKUa2IYoZqk/i/tDKK8bpYR8KJqaWWbC47Fyfdi99bKDwAKeas+63T75yA"
    "DBMe3pCv7e4ZNAWfryeTpOpcBjtVDkSF8z5JoiZ9zqTPigCVlvQcYpmZ3GCYc9OMrAkQ9H"
    "JNrEeEHWqM5A8Ts3XmacEywzEwc3SxQqDySFUl3QIWY9ellaw2aarNe7PPQakiugdziuge"
    "zBbRNVwsQuWq12FPU25gGfY5zJap7HrEk7l116c6aw2gs7RLgFqy52zdkZbLYtQJlZxGsc"
    "Vo2qVZxmIUaU3lDEaVYi0XiZp8K2aOBbf1YgOG71byGYTdZdbr6noMtktt7dCt2GewPbu5"
    "J2+uAqMzZJvI8FW4aLha4+Kc3bWY0TGFzDxuMOuOMBTb7T8jNqITgmhkgJHhbRBKkC3m/m"
    "a9T0gSaafNnwVjlCfkhGfmyjZ63EcJNJsi0PDlkVXcaxMkMu8BMu2z8FBV4HDYfQO5u5p9"
    "lBIPk5xNtPiNPgkS9TqfdXqdz6//A0C7jIQ="
)
