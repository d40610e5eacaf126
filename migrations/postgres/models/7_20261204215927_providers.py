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
    "eJztXW1zm7gW/isaf2k743Ty0qZd95ObuFvfTeKM47R7d7PDKKDETLDEIoiT3dv/fnUEmB"
    "eDA9hOZUczmRgLHYHPI6Tzzr+tCbOIw992HeL5vXtC/VYH/duieELEQcHZNmph103OQYOP"
    "rx3Z/TqwbolvYOhuEOgvz+Nr7nvYhKFvsMOJaLIINz3b9W1GgbCL/LFH+Jg5FjI9xjmxkE"
    "0RRuGIaGpTi007CPtowriPGCXIJV50uh2dbyejvIXrWswUF7bp7fouEVD774AYPhN9xsQT"
    "F/rzz5gNtgU9QjqD+9iT3JvRt/76S3wVZ8kD4UAIX90748Ym4mQahXAg2W74j65s+2zf9q"
    "n/RfaFn3ptmMwJJjTp7z76Y0ZnBHYI3i2hxMM+gSv4XgBY0MBxIgRjeMKflXQJ7zJFY5Eb"
    "HDiAKFCHN5C0tQzjbDAyLnojw2jNoR1TpNCJmkxGYabYMG+AAbdwCzu/7O8fHHzY3z04/P"
    "j+3YcP7z/ufhR95f3On/rwI7yZhFvhUJJn/V/7ZyO4ISamYzhloeGHpME+DqkkGAn35Tw2"
    "ijA4GmOvGIE0TQ4H8QPzOMRcf24gWm5w7dgmsq02Ive+8fbt3GNTAswEPxgOobf+WHx9t7"
    "uA59+6w6Ov3eHrd7tvsow/i87sy1MAQcLyzAOU5XnppM/QPD33q/A8bkiYnixfzzf99/fe"
    "fXj38eDw3WzWz1oWTfZ4Yidcza9E1ReUPOU2sfdZVpcEhGT5n0PgYoIdpxSDDOE2AXCw/+"
    "FwxnL4sojJF6fdk5N5rpoegd9t4IKJfSzO+PaEFLM1S5njqxWRvo0PNpDLC5g56p/2Lkbd"
    "03MYfsL5347kV3fUgzP7svUx1/r6MLeOzwZB3/ujrwi+oj8GZz3JTiFI3Xryikm/0R8tuC"
    "cc+MygYlXBVponcXPclIHZxY8OwwWPzog8lDw2KZLVbMTrgVM83gRNyfWYsTt0zazHNrrx"
    "2D+Egjwq5yj0Wxrw3u+jDNbxJvz6tPv7mwzeJ4OzX+PuqU376GTwWTx7IKre3KXEJWi4xu"
    "bdFHuWMXeG7bOyvvOnJvuTfAum+FayGn4x/L5YL3Ht38hjq0hjCc8s1Fawaxt35LGailL+"
    "vBWoAMsI9i9Fql9SrCmX1+VnDVk97q/y8lCduRnJfG+3imguepXK5vJcdq91PXJjP9ThcE"
    "KhsC4EC/C9zW1xTSQFXcRuEDRyItZfv4lidLBfgfsH+6XMh1NZ3of3YvAx3n9/WAeCOUKV"
    "Z3trTB7QxdfujrjXGIWpEH2XweLwXQUsDt+VYgGncliYDMaoA8KMQmnum2wywTucuFjeDA"
    "r30gu4eQQ/nqvB/4ATr6ZZJkXSCIFonVk3ANOxkPs4GB1h5gsRRXwhHDHqPIoWmyP4Ha/g"
    "Q4hFTcDYf/++AhqiVykc8pzWwaruyuIHWgMBXzSHNkQni6b7QpXMwdw3xHxsgnuedgXIP8"
    "8T+iKVb4/cs7tGOGcpNcqqoayINv9ZWvBbBdp8dKb9tO+xsr+Ru4RayLEnNrj6EEZSOEOv"
    "seOE+2pbtME+i5iHMEXd8z7sxG/a0iloYrGXWtiLvIJF3sbVX0AbGrShQZk17xkMDVsr4D"
    "dk8lqk9sgIWs/XmiVq5IxSjdMr9rW6Hru3LeLVM5MlNNs3e1dvAJBCQB0GzwgU5m4Lc+QR"
    "k3kWgaiMByHGoAn2zbEyer4UaQzXNtk87xcFEWTpVPZgty4vjiPJDWSxOPLLpmiP7OztI3"
    "G6Iho/JcRA3LPNSrbNHg0mEp6+uFFMTTK/Cs2oVZZThLL03w4S/67o917vtw6C/1f0dHA2"
    "+tpB8uOKnvS/SIWqg+KjJg/R3mEV0Savs6Ukm8P8EwRarvEPo7WkxwyRytAosz+I6T1mnm"
    "Hhx3k+L461yVIqvVRFM17cKtrbOdj7hMLHoX8xQFNC7sL2D7WWq1UE5EQcHLOgQASqxPyY"
    "VGnuO0wo6ghuFe3u7B9AsMZ0bJvjaM/gaBYy96zcB0Gn6fof06q8xLTEE3/cQfD/il4Mvo"
    "w6CP43Wd0/Vlh1PpYuOh/nlvY4Sq+WYzBLpTTn885BIS6YhPr4tplbUHuitCcq06+5Jypw"
    "rYaoZyk16qqgXuCwkHevlL+iG1j2AqdFeLpdJWtq1vNJ98WAEiTGI9TakUEBHpumcpWQOc"
    "b0lsw7JaqTPe1q+LeVcCmbeyH+Q1/y4AqUubjjGScjBkVzNH7AWrKz+MXyyw+dBaVkFlQ4"
    "ORrtqRlKvbqqsrpW2VPFKhTFnTdRJRJqpUXao2FPsLqDws8renl+LL+Hn1f0uHfSg+/hpx"
    "omJJ0h11qD10Y7w9bK1roO8zydyquISo5zJga6x05QFJ38n4vBWTG3s1T5fdo2ffQ/5Nh8"
    "A+fzAg4DOzJ78VxGVD75KbfJwgCfc/ynZNqA/1kqzf96/FdKJ/zKcrrL/Nl2BY1wZhGsEt"
    "Am+EG8e5kn+IojPGEB9dFY3DT4LaGYRabOxSdkQocoqFwc2Q6yfSSUNlsMVBTPtvLxl9Ex"
    "8wnp0bigYyyje8JDnLpk6icbWqvdRq02h3AN2WSecgulE13ZYzMEbF3ZQ4Gwm3BLbBAYlS"
    "PUEDSGICUG1EIgS6cyAJDIy6jFEbepSWR+4CW1HxBxmTlGry9HR28qGqieDSClJPNhsm23"
    "SgX0dKcqcnpKFqgqrlOEAzHLPPsfYkGyhyNkalmajlEJKoQ2RBI1Fw3YB8eN89iOROk4Qh"
    "RyRzziEMxJUcm7dV1lxZko5VKW6hXUfrJcVS7Yig3dD0piUJ423CfUKgu1ra+9E4gCEv+v"
    "6LB3NBge98T3+AjaTnrdi7AtPLqivd/P+0Noig7UMOdr2eGnyw4620hnGz3zDN/sbCPllo"
    "3tSjdSm706blMZF4pKMSUFEXvzQSWLtPTFMC/U0zXMasFsOqxZWZgMoa4WohrGStlzvkv7"
    "9QXEtLZK7TnpTu0K9pzYKD4jeNKe8x1sJ4kT9BWP3KBojLmsBOJ3pMEFIm6lnQUsLzthiq"
    "k5JuYdRw4z7+ZNOKscuOa7CvTrCRTSU8stPdqj1lqDRvUyPGob6E0oAClapWtDFNEpbFAQ"
    "Aq/pBNy+J58kNbphXt1c9p+CjNyZGpgzs3QqPzpK7hIpHYsL4ViqxPVBmKdVGQhZuNmN6j"
    "Un8wfK509Q/FOq5qa+NKfouWebIUPmROf41EKBGUyzsSFRHCQUKy2n/2fGWClvAwzC8IXc"
    "3BDTFwukAXgvJ7O+FIF1bQXxtBn6uczQtVMpslQqMxoKYMGSjq2JTdHUYz5BNpTC9uzJhF"
    "hN/LVrMVZnlqF6MERESqOQTJiY8whDPVM2Jd6OCZEgHTQFg4PD2F3gcsWKlNnUDXyxidwR"
    "KtjPm8iipUMoLQ1B6TLI6ZZ3j+Tdb07lMhb4S8NWPsZG4Bbe/qYBZ2JzLPSFFTx1T42ksL"
    "auuEooOWtMPdsnK4CofCCNUFOEPII5o+K+lsNn4TAancYmlayqOQfJE67rOerNcV+35Etn"
    "7okHeW8I1HwSvXwmtLL48L6aVbyecBPcnxkdILSrGNclSkCFanuZEZTWCHpn3/rDwdlp72"
    "zUQakvV7R7fNo/6yD5cUWPuqPuyeDXDooOmugEq4+w1bFF5azf3vo1uibctqFesC6rVBMu"
    "spqXFoXLnG8vMq1H1vQaZeFq2dQXpdqXWtt1EvzmCrK6tNvLWSR1abfYqnZ+0RuOoJQbfO"
    "ZLuV3R/ll/1O+e9P8QbcmxaD89HwBd+HlFz4eDb/3j3tDoHh93UPpb6tywd9aFlw3kGjI9"
    "TrvnmQ7iuxrysfbdad/dViWTbLd/TiVO66S+tYSg6qqJumqionkqumrilvBfLavJkNzbvK"
    "QyS75Lu4rtxEv3rlRVH/JopmPGSVi/kHjoloGzw0VT2x8jck+8RxQNHxXM7yDpEOWCYuJi"
    "D6KVikvvr3Bs/SpgtSIf0xOtjqM2oVI5OEVBe5YyC1eoAQ+lkaVg0UpOP7FghR2rlY9axt"
    "Bba13Y3MJMLRmoCHGKiDvBbQcxl1BsN7G1rMoMUL56WDZ3HVxf0s/TaUm/mqQvIxiskjCO"
    "ReauDJnCJX/CnJhoTYlkDnn3IIPw6FAGdTBKXnEUrkhhjllHyBiifVoxnGPtJrOXFGLx+b"
    "J/MoJQiuhAh1Zo/5Gq/iMdWrFtqCseWnEJAYcnrDBZcXZuoZQNllEZtmg47Hb9onYmpoKZ"
    "ZuB5s1m/ZCRF7kUFqUKE6eus8AppV9+aLjErl7aq8XW4iZLhJh4RrODFFUsWvW8hTaWu4q"
    "mSY06XNH0GJuvACV17cxk1Xd4pkom2UeYzFGoH5wC+B3t/Ex1vLRNdJhPxMDOv3v6Zp1TZ"
    "1t0SzAfTycSNkjB5O/TBQNF8wpFNTSewKueh/5RMpYjfYSppI6gSUuWxAs+YQ6BlhtcsAW"
    "6T0EonvjbCLD/A8yG3uwXyajEeYZZrczgSeo3GUmjMHulGWGSoNRLNkHipJTUUh+Xl1sxQ"
    "HBjFa2LoFU3tihgaH3XrYWhsWpKJ4YrU4HmZJ1Z5o5F2mumYOSS2DHDbIjO7ABQf3QzDgO"
    "R7tNk3RC1HvSGwpYwEAJ3yGGV2/IZIFY6hl7tlUYm2+WVAyQ2hMVkCk2Rzb4jI/AAajyXw"
    "8JmPnaZYZIlV3lsUhyJOgOEs8MySmOKnIyfnR1Ham9b7vXsEpang44pefB0MR0aYkZ8cQw"
    "mAL93Lk5ExHHyHOgCzL1e0vMBVFI5p9C5G/dMuFBDItzTx0q0+ElPW4BV7fsM880JqHQZQ"
    "MQwgfFZqpVdliXQSdIF1Mxs2VyfMNEe6hXGmmxtXOh9OrIsIrOX58YjJPKvR85Mj3cLnZ0"
    "PjtMui81WK0x4St/zVMrke7UUx22G8tkfql8OTOddhlVqH3b6CHGruc3RNbphH5MsM8A0k"
    "YWOK5KDEQh7Zia7zFnVdeP3jDhPTozide3VD1wwln4WwR+uersq3uSrbojDpKN+wycqdId"
    "Urt+ordzZoO/t0V3/+8pTaftLYfqKl0bVIo7qk1QsraaUazxeweDtrWr1EAJTSg5jjBO4x"
    "tp3HSy5F+xJtKNevXUEnkiSGBTRGEBOt+MWb14F5R3xxEVk8QWaHxdUx80XCw8aMx0C/Ql"
    "4h6ebJjMyCNWpxWFVCpUXNZQPctzytajNA2PqMKcVheElBhZsAxYsJFdwEMHRkjQpQZAXi"
    "6ihk6VQGQMiJjxxxm5oE7f3yYXdnd0/8odeXo6M3eUeISsiklZOqhqWMQqOwUUmGMsPNIt"
    "tqI+ahV6/QjfigjFYNZtaVMHQljG1j71ojuXTs5NbHTipsKRyBwNaqaC4MO7cb2AxDwfAZ"
    "LYfaJKiQ8KRNggqBoU2CKoKgTYIKmD60SVAZKLRJUCEwtElQBSi0SVBVZLRJ8CfbUoQyYE"
    "9ksf+l1quFwyj94MgXsWDPR+wG5e49fA2Lha4fm1pEXtrbtlKmj68s8GT09yL7SNSpXdku"
    "Mk4I1mMNgQvIOauDpzZrt9eWEoXA0JYSFUHQlhIFNEJtKVEGCm0pUQgMbSlRAYqcFFzbVD"
    "ITnxWGoAU3OW8sGe3udnZ3/1BNs9PxOzp+R8fv6PgdHb+zhF3qO7keM3Z3TBz7nniFVql8"
    "l/Yim9Q07CzQl71tUu1dlbIqCbknFN5cBG8rQoRaLhMAwCtxBDrEQlPbHyP41ezmBgXUtx"
    "0UXQVecOSJkW2HWMUFT1Y3dM2CJ+IR9QPJA0oefAP7Ppm4/opfPyl/naFrqWyunFluo5th"
    "WwuDNJXKEqeSYKSYH60U9Ypp5Ki2if8rK6eRrItNJJyEWmnJ5rx3dtw/+7WDogOQYk7633"
    "rD3jHIMNHhFf3S7Z9AU/j582SSTL2TcKcqgKi8iEyKRE/6gkmfFwFqLekFxCozucWJ4KYV"
    "WxPAmXxJ7QdEXGaO1Q+/cDD3jXCZERhYBbpYKVBFpLqiUgmLieexWlabLNX2VXh+X6mY0v"
    "sFxZTezxdTMj0iQ1Dq1+PLUm5hOb4FzFap/F7Mk4X192Y6awOg87QrgFqx52zTkVbLYtSL"
    "lJxWucVo1qVdxWIUa03VDEa1YpiWiUZ6KWaOJbf1cgNG4NXyGUTdVdbrmnoMditt7dCt3G"
    "ewO7+5p2+uBqNzZNvI8HW4aIRa45GC3bWc0QmFyjxucfuWcpTY7T8hPmZTilhsgFGhKqgW"
    "ZMu5v111pRWRdrriWTDHRUJOdGahbIOTPlqg2RaBRiyPvOZemyJReQ9QaZ+Fh6oGh6PuW8"
    "jd9eyjjPqEFmyi5ZWdUyS6rPMmlXX+8X+bsDSq"
)
