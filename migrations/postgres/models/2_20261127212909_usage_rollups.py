from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "pricing_revision" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "revision" BIGINT NOT NULL
);
COMMENT ON TABLE "pricing_revision" IS 'One row whose counter goes up with every pricing change: caches compare it.';
        CREATE TABLE IF NOT EXISTS "usage_rollup_daily_user" (
    "requests" BIGINT NOT NULL,
    "tokens_input" BIGINT NOT NULL,
    "tokens_output" BIGINT NOT NULL,
    "cost_input_pico" BIGINT NOT NULL,
    "cost_output_pico" BIGINT NOT NULL,
    "cost_total_pico" BIGINT NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "bucket_day" BIGINT NOT NULL,
    "user_key" VARCHAR(255) NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "model" VARCHAR(255) NOT NULL,
    "pricing_source" VARCHAR(16) NOT NULL,
    CONSTRAINT "uid_usage_rollu_bucket__d2ab27" UNIQUE ("bucket_day", "user_key", "provider", "model", "pricing_source")
);
COMMENT ON COLUMN "usage_rollup_daily_user"."bucket_day" IS 'days since 1970-01-01 (UTC)';
COMMENT ON COLUMN "usage_rollup_daily_user"."user_key" IS 'the user id, or '''' for none';
COMMENT ON COLUMN "usage_rollup_daily_user"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
COMMENT ON COLUMN "usage_rollup_daily_user"."pricing_source" IS 'EXACT: EXACT\nSHORT_NAME: SHORT_NAME\nDEFAULT_ROW: DEFAULT_ROW\nENVIRONMENT: ENVIRONMENT\nBUILTIN_ESTIMATE: BUILTIN_ESTIMATE';
        CREATE TABLE IF NOT EXISTS "usage_rollup_hourly" (
    "requests" BIGINT NOT NULL,
    "tokens_input" BIGINT NOT NULL,
    "tokens_output" BIGINT NOT NULL,
    "cost_input_pico" BIGINT NOT NULL,
    "cost_output_pico" BIGINT NOT NULL,
    "cost_total_pico" BIGINT NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "bucket_hour" BIGINT NOT NULL,
    "provider" VARCHAR(16) NOT NULL,
    "model" VARCHAR(255) NOT NULL,
    "pricing_source" VARCHAR(16) NOT NULL,
    CONSTRAINT "uid_usage_rollu_bucket__94afe4" UNIQUE ("bucket_hour", "provider", "model", "pricing_source")
);
COMMENT ON COLUMN "usage_rollup_hourly"."bucket_hour" IS 'hours since 1970-01-01T00:00Z';
COMMENT ON COLUMN "usage_rollup_hourly"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
COMMENT ON COLUMN "usage_rollup_hourly"."pricing_source" IS 'EXACT: EXACT\nSHORT_NAME: SHORT_NAME\nDEFAULT_ROW: DEFAULT_ROW\nENVIRONMENT: ENVIRONMENT\nBUILTIN_ESTIMATE: BUILTIN_ESTIMATE';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "usage_rollup_daily_user";
        DROP TABLE IF EXISTS "pricing_revision";
        DROP TABLE IF EXISTS "usage_rollup_hourly";"""


MODELS_STATE = (
    "eJztXW1zmzgX/SsavrQ743Qc563rb05CE+8mdh6b7HZa7zAKKDYTLLEg4nj69L+vJMC82L"
    "iGxKniaqZTjKSLxDlCujq6kG/alNjIDT50POdPNNfa4JuG4RSxH4WcBtCg56XpPIHCO1cU"
    "hZ5jPqC5SIR3AfWhRVn6PXQDxJJsFFi+41GHYJaKQ9flicRiBR08TpNC7PwbIpOSMaIT5L"
    "OMr/+wZAfb6AkFyan3YN47yLVzjXVsXrdIN+ncE2ldTD+Jgry2O9MibjjFaWFvTicEL0o7"
    "mPLUMcLIhxTxy1M/5M3nrYvvNLmjqKVpkaiJGRsb3cPQpZnbvTPTNM00e33DHOqGaWoVAL"
    "II5uCypgbi7se8CXut/cOTw48Hx4cfWRHRzEXKyfeo6hSYyFDA0zO07yIfUhiVEBinoIrj"
    "EqxnE+ivxjUpX0CWNbmIbILjOmiThBTbtD+9BrhT+GS6CI/phJ3uN5troPyrMzi77Azes1"
    "K/8SoJewCiJ6MXZ7WiPI53iq/no3vnqQrCqcXLYLyN7quxZxc8OoHD6gQBhT4F5B7wxABZ"
    "PhJPWVX4D1oboH/QKgWfZ+Wxj9piBhPYOjquQsGSocy9XZugJzC87OyxtiYszCbEfQ4Xx4"
    "cbcHF8WMoFzypwYRF+jSokLCykRt8i0yncC5AHRWNANJcOeeMBv/lADvzDAPnmqhm0nICM"
    "SS0G4nFm2wTMJgizrk4bouczF4WdoAAQ7M5ZihMAfh/v+AGOUR0yWkdHG7DBSpXSIfLyfL"
    "AnkyNnQrpMyTnLoc4UraYlb1lgxo5NPyQ/5HlSNp+V2Q3afUZf3IfWgG90r/Wh0bm+4dVN"
    "g+BfV+DXMXSe0xKp80Lq++MCT4uLgL+7xiXgp+BLv6cLeElAx76oMS1nfNF4m2BIiYnJzI"
    "R2ZlpNUhPUcqy7MKAm6491eC/avgDzr/OEbkz8GyE6wWQt0z56JA+1eM5bKpZlY5mvT+8f"
    "MospnnAHrYcZ9G1zKYe0SFnZ5axpa1pMgZhNW3aMJm9nvGa/8R0rgnlpOZ9kNX60nvd88u"
    "jYbJb3MhYvurb/qiV1aEnTuYqg/aMW/T9x0Z/lZNkb1HE4Ffh2WaMgttCKJWpqL7Vz3r/R"
    "e51uG0THEe70jMtB/6Z71gaLnyN80e9fXOltEB1H+Lo7NAadqzaIf4zw5e3FRbd38alzxo"
    "plTpjtoP8/Zsn+H+Gz/qU+YAWi4wif6/rNUNf/bIPk1wh/5s35zNvSN1gp1jR+qOOW7h9v"
    "olYUR8eMWHFc9Emjx7OqIpS3kro7wECsEaA9dTCY+YQi4PB1g+9Mp8iWZm2QDpOVaYiNpG"
    "Yh7TAJ8gBiG7hkhvw9CzIPtw1mE0hZCnkIvQBMIbUm0rDjYC+kbJJ7QJjBz3xyz7HIMlOn"
    "zrh8niq7xI+nrp/I2+3wHHjIB6L1QLS+wU7APtrbbwGWuyFF0eT2e6t1cHDSah4cfzw6PD"
    "k5+thczHLLWeumu9PuBZ/xcgQmU2DKGgnps2krv8ab4C1q/lsjLnaAzbuS0fDH3kr+ClIP"
    "jXrvr+6g37vWe0YbZE6Y53J+3e0xr4Uf5PAWlIJVDv3uKlihZ9dkPW+pWJeF9RVCh2i9XD"
    "pHJ7QdqpWLHVF+Y53iEYscJlwU3WYYwzctvcESEaQhFAtuh548RlbAal0AEt9mXF/ynGii"
    "MGu1OPleSTZZ65HulnLyKj5Kub5iTSAe15sac5ZqkJRlkNxkamQjCQejppeaWkvtod7eDP"
    "UBc06jI9e4rnRD5woXP45wt9c1up2r7heWlv6Ww2NVsqeSPX9B2bNmOJySNt800nG87sqY"
    "n1I3MG9US9WSbLf5ZbbSlmGtOlwU7XawG28lfpawCz1CN1wVO/jHsN8rUWpzVkU32rEo+D"
    "9wneAN9uc1CHM4cq5yAuz7687nIuZnV/3Tog/ML3BawB+jWQ3881YK/2r4y6W8DBAP9BYo"
    "lYkviyKNTfQXP1v6RxKM1scI+GTGQ5oDBCwSYop8MCYoAKEHZg6dAPSI/DmILw+iJXQbWN"
    "CasEIWmXrQ5xu9H4ru5ktfW73bIleYS7ajbS6FZa1k3teTUBOTZOC65ZHeV2RlbNwib+1Q"
    "xb01ES9uumS8/VfecloxsazQ9xca4DMVYj6XZy6eienP1vOCNWRFki1VIQh7yesrGV1KGd"
    "1HDIqAVnxtJW8l7zt0MokFO/t2kEwgK/lZyc9l8nNlOVT6TsADbUVLxVuQIA69taDr8iUW"
    "fOSrpjoEbOXRFDFxgSkiG6vN+EVLtWKoHekXQxmFKdZiITVVNNSm4VeNb5acll83gFlyYg"
    "SOUY+vzsgKY0XF86iIO3lNLgrWioznkUEJhW5dLvLGioraVCQ7LwEJfatk23qT9WfxKlIv"
    "QPTPnTP+FgU/jPDwsj8wzF7nmq0U0998tfipc3tlmIP+33zBuDgZ4fJ3MU5vu1dGt2fqQ6"
    "N73eHRb8UUSVaW/L05ZJs1A5xWWiutZ0OtJ3pWKu3r5Y1U9M0KJzi/N1IlsrpguoOh1W8k"
    "lHrF+ybLsdQ+sohv1/x+Ss50B4nesRh6mXaNB8R1Q+8cOu78NhB7tat3kIvlGut2k6OdZF"
    "+YmDa34d9x8l9+W/mrdhdaD4iySkSsrNijSeJmi68gRYk5l+5ZX2VR+6KvvC+6IiJvfVxL"
    "aqXWUs9VqdVWgQQkqK0CCSQeJX1KQ4WSPiUiQ0mfMlCRd4g3ZyFvJzMBzE+cByBwsIXA/u"
    "8nzb3mPvsH3t8aZ79tqEP+FGayi5NKQWdv4EVAEf3CGwscuwGID969A/fsgAmW5xPUKh5N"
    "xaP9MvFoMm4OqO24nd+Ok0/bvGTdxV35V6CWCzU2VjUnqcF2FE1egZIx36ArrmRMichQMq"
    "aMJCgZUwK5RsmY0lChZEyJyFAypgxUFLzgyjrmwn2WmAKNN3JZyTSazXaz+UVmKVMpaUpJ"
    "U0qaUtKUkrbzSloHsc4y0VbIZ3FOY+13ZdIy6k+ov7LHtrXPTD0if/VXpsoH+oyJzEONTE"
    "M9f6gqIBwX30F0t/KZTVYjRXiFBlX+jceMybM+8Cgb2mvA3Y0vPH7/D/O5r/g="
)
