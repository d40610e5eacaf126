"""Tiers of a price version (service tiers, prompt-size tiers) and the service tier of usage.

A new table `api_provider_price_tiers`; logs get the service tier the caller sent and the
tier whose prices applied (existing logs: standard, the version's own prices); the
hourly and daily-user rollups get a service_tier key column. SQLite cannot change a
table's unique constraint, so both rollup tables are rebuilt with their rows.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

_SUMS = (
    '"requests", "tokens_input", "tokens_output", "tokens_cached_input", '
    '"tokens_cache_write", "tokens_reasoning", "cost_input_pico", "cost_output_pico", '
    '"cost_total_pico"'
)
_SUM_COLUMNS = """
    "requests" BIGINT NOT NULL,
    "tokens_input" BIGINT NOT NULL,
    "tokens_output" BIGINT NOT NULL,
    "tokens_cached_input" BIGINT NOT NULL DEFAULT 0,
    "tokens_cache_write" BIGINT NOT NULL DEFAULT 0,
    "tokens_reasoning" BIGINT NOT NULL DEFAULT 0,
    "cost_input_pico" BIGINT NOT NULL,
    "cost_output_pico" BIGINT NOT NULL,
    "cost_total_pico" BIGINT NOT NULL,
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"""
_PRICING_SOURCE = (
    '"pricing_source" VARCHAR(16) NOT NULL /* EXACT: EXACT\\nSHORT_NAME: SHORT_NAME\\n'
    "DEFAULT_ROW: DEFAULT_ROW\\nENVIRONMENT: ENVIRONMENT\\nBUILTIN_ESTIMATE: BUILTIN_ESTIMATE */"
)
_TIER = (
    "VARCHAR(16) NOT NULL DEFAULT 'standard' "
    "/* STANDARD: standard\\nBATCH: batch\\nFLEX: flex\\nPRIORITY: priority */"
)


def _rebuild(table: str, keys: str, columns: str, constraint: str) -> str:
    """Rebuild a rollup table with `columns` and a unique constraint on `keys`.

    Adding the tier key copies every row (as standard); taking it away sums the rows
    of a key's tiers into one.
    """
    if '"service_tier"' in keys:
        standard = keys.replace('"service_tier"', "'standard'")
        select = f'SELECT {_SUMS}, "id", {standard} FROM "{table}"'  # noqa: S608
    else:
        sums = ", ".join(f"SUM({column.strip()})" for column in _SUMS.split(","))
        select = f'SELECT {sums}, MIN("id"), {keys} FROM "{table}" GROUP BY {keys}'  # noqa: S608
    return f"""
        CREATE TABLE "{table}_rebuilt" ({_SUM_COLUMNS}{columns},
    CONSTRAINT "{constraint}" UNIQUE ({keys})
);
        INSERT INTO "{table}_rebuilt" ({_SUMS}, "id", {keys})
            {select};
        DROP TABLE "{table}";
        ALTER TABLE "{table}_rebuilt" RENAME TO "{table}";"""


def _rollups(*, with_tier: bool) -> str:
    tier_key = ', "service_tier"' if with_tier else ""
    tier_column = f',\n    "service_tier" {_TIER}' if with_tier else ""
    hourly = _rebuild(
        "usage_rollup_hourly",
        '"bucket_hour", "provider", "model", "pricing_source"' + tier_key,
        '\n    "bucket_hour" BIGINT NOT NULL /* hours since 1970-01-01T00:00Z */,\n'
        '    "provider" VARCHAR(64) NOT NULL,\n'
        '    "model" VARCHAR(255) NOT NULL,\n'
        f"    {_PRICING_SOURCE}{tier_column}",
        "uid_usage_rollu_bucket__732ad7" if with_tier else "uid_usage_rollu_bucket__94afe4",
    )
    daily = _rebuild(
        "usage_rollup_daily_user",
        '"bucket_day", "user_key", "provider", "model", "pricing_source"' + tier_key,
        '\n    "bucket_day" BIGINT NOT NULL /* days since 1970-01-01 (UTC) */,\n'
        "    \"user_key\" VARCHAR(255) NOT NULL /* the user id, or '' for none */,\n"
        '    "provider" VARCHAR(64) NOT NULL,\n'
        '    "model" VARCHAR(255) NOT NULL,\n'
        f"    {_PRICING_SOURCE}{tier_column}",
        "uid_usage_rollu_bucket__fc30e9" if with_tier else "uid_usage_rollu_bucket__d2ab27",
    )
    return hourly + daily


async def upgrade(db: BaseDBAsyncClient) -> str:
    return _atomic(
        """
        CREATE TABLE IF NOT EXISTS "api_provider_price_tiers" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "service_tier" VARCHAR(16) NOT NULL /* STANDARD: standard\\nBATCH: batch\\nFLEX: flex\\nPRIORITY: priority */,
    "above_prompt_tokens" BIGINT NOT NULL /* applies to calls with more prompt tokens than this (0: every call) */,
    "input_token_cost_pico" BIGINT NOT NULL /* USD per input token, in 1e-12 USD */,
    "output_token_cost_pico" BIGINT NOT NULL /* USD per output token, in 1e-12 USD */,
    "cached_input_token_cost_pico" BIGINT,
    "cache_write_token_cost_pico" BIGINT,
    "reasoning_token_cost_pico" BIGINT,
    "pricing_id" INT NOT NULL REFERENCES "api_provider_pricing" ("id") ON DELETE CASCADE,
    CONSTRAINT "uid_api_provide_pricing_0fbfeb" UNIQUE ("pricing_id", "service_tier", "above_prompt_tokens")
) /* Other prices of one version: for a service tier, and above a prompt size. */;
        ALTER TABLE "api_usage_logs" ADD "service_tier" """
        + _TIER.replace("/* STANDARD", "/* as the caller sent it; STANDARD")
        + """;
        ALTER TABLE "api_usage_logs" ADD "priced_service_tier" """
        + _TIER
        + """;
        ALTER TABLE "api_usage_logs" ADD "priced_above_prompt_tokens" BIGINT NOT NULL DEFAULT 0;"""
        + _rollups(with_tier=True)
    )


async def downgrade(db: BaseDBAsyncClient) -> str:
    return _atomic(
        """
        DROP TABLE IF EXISTS "api_provider_price_tiers";
        ALTER TABLE "api_usage_logs" DROP COLUMN "service_tier";
        ALTER TABLE "api_usage_logs" DROP COLUMN "priced_service_tier";
        ALTER TABLE "api_usage_logs" DROP COLUMN "priced_above_prompt_tokens";"""
        + _rollups(with_tier=False)
    )


def _atomic(script: str) -> str:
    """The script in a transaction of its own. aerich runs it with sqlite3's executescript,
    which first commits aerich's transaction and then runs each statement by itself, so
    RUN_IN_TRANSACTION alone would leave a half-rebuilt rollup table after a crash."""
    return "\n        BEGIN;" + script + "\n        COMMIT;"


MODELS_STATE = (
    "eJztXe1z2rjW/1c0fGk7Q/rkpU172U80oVvuJiEDZNu7yx1fxVaCJ0bi2iaE3af/+9WRbP"
    "yCTWwDiQDNZALYOrJ9frJ03vV3bcQs4njvmw5x/dYjoX6tgf6uUTwi/EvG2Tqq4fE4OgcH"
    "fHzriOa3E+ue+AaG5gaB9uI8vvV8F5vQ9R12PMIPWcQzXXvs24wCYRP5Q5d4Q+ZYyHSZ5x"
    "EL2RRhJHtEU5tabNpA2Ecj5vmIUYLGxA1O14Pz9aiX93Bdi5n8wja939wlJtT+74QYPuNt"
    "hsTlF/rzz5ANtgUtJJ3h+dgV3JvT1/79b/6TnyVPxANC+Dl+MO5swk/GUZAdieOGPxuLY1"
    "/s+zb1v4q28Ki3hsmcyYhG7cczf8jonMCW4N0TSlzsE7iC704ACzpxnADBEB75WFETeZcx"
    "Govc4YkDiAK1vIHoWM0wrjp9o9fqG0ZtAe2QIoZOcMhkFEaKDeMGGHAPt3Dwj+Pjk5NPx4"
    "cnp58/fvj06ePnw8+8rbjfxVOffsqbibgluxI8a//avurDDTE+HOWQhQM/BQ32saQSYETc"
    "F+PYyMLgbIjdbATiNCkc+AOmcQi5/tJA1MaTW8c2kW3VEXn0jffvF16bHGBG+MlwCL33h/"
    "znh8MlPP+92T371uy+/XD4Lsn4q+DMsTgFEEQsT7xASZ7nDvoEzfNjvwjPwwMR06Pp6+WG"
    "//HRh08fPp+cfpiP+vmRZYM9HNgRV9MzUfEJJU25S+x9kdklAiGa/hcQ6I2w4+RikCDcJQ"
    "BOjj+dzlkOP5YxuXfZvLhY5KrpEnhuA2cM7HN+xrdHJJutScoUX62A9H34ZQu5vISZ/fZl"
    "q9dvXl5D9yPP+68j+NXst+DMsTg6Sx19e5qax+edoO/t/jcEP9EfnauWYCcXpO5dccWoXf"
    "+PGtwTnvjMoHxWwVacJ+Hh8FAC5jGeOQxnvDp98pTz2sRI1rMQbwZO/noTNCW3Q8Ye0C2z"
    "ZnV057K/CAV5VIxRaLcy4K0f/QTW4SL89rL5410C74vO1a9h89iifXbR+cLfPRBV7x5i4h"
    "IcuMXmwxS7lrFwhh2zvLaLp0bHo/QRTPG9YDU8MTxfqJeM7d/IrJalscgzS7UVPLaNBzIr"
    "pqLkv28ZKsAqgv2+SPUrijX58rr4LCGrh+1Vnh6KMzchmR8dFhHNeatc2VycS661Y5fc2U"
    "9lOBxRKKwLwQT8aHs2vyYSgi5idwgOeoTPv34VxejkuAD3T45zmQ+nkryX92J4Q3z88bQM"
    "BAuEKo/22pA8od635gG/1xCFKRd9V8Hi9EMBLE4/5GIBp1JYmAz6KAPCnEJp7ptsNMIHHh"
    "ljcTNIrqU9uHkED++pwf+JR9ySZpkYSSUEgnlm0wBMh1zu88DoCCOfiyj8B/EQo86MH7E9"
    "BM/xBj64WFQFjOOPHwugwVvlwiHOaR2s6KrMH9DqcPiCMbQlOlkw3JeqZA72fIOPxyq4p2"
    "nXgPzLvKF7qXy75JE9VMI5SalRVg1lRbT5L8KCX8vQ5oMz9ed9j4X9jd6YUAs59sgGVx/C"
    "SAhn6C12HLmu1vkxWGcRcxGmqHndhpX4XV04BU3M11ILu4FXMMvbuP4LaEODNjQoM+e9gK"
    "FhZwX8ikzeiNQeGEHL+VqTRJWcUapxes2+1rHLHm2LuOXMZBHN7o3e9RsAhBBQhsFzAoW5"
    "W8MeconJXItAVMYTF2PQCPvmUBk9X4g0xtg22SLvlwURJOlU9mDXbnrngeQGslgY+WVTdE"
    "QOjo4RP10QjVcJMeD3bLOcZbNFJyMBT5vfKKYmWZyF5tQqyylcWfpXA/F/A/q91fqtgeD/"
    "gF52rvrfGkh8DOhF+6tQqBoo/FblJTo6LSLapHW2mGRzmn6DQMs1/mK0lPSYIFIZGmXWBz"
    "68h8w1LDxb5PPyWJskpdJTVTDi+a2io4OTo1+QfB3avQ6aEvIgj38qNV2tIyAn4OCQTTJE"
    "oELMD0mV5r7DuKKO4FbR4cHxCQRrTIe2OQzWDA/NQ+ZelPsg6FSd/0NalaeYGn/jzxsI/g"
    "9or/O130Dwv8rs/rnArPM5d9L5vDC1h1F6pRyDSSqlOZ92DnJxwSTUx/fV3ILaE6U9UYl2"
    "1T1Rk7FVEfUkpUZdFdQzHBbi7pXyVzQnlr3EaSFP14tkTc1bPuu+6FCCeH+EWgciKMBl01"
    "iuEjKHmN6TRadEcbLnXQ1/1yIuJXMv+H9oS57GHGWP3/GckwGDgjEavmA10Zg/sfjxU2dB"
    "KZkFJQdHpTU1QalnV1Vm1yJrKp+FgrjzKqpERK20SHvWbXFWN5D8HNCb63PxW34O6Hnrog"
    "W/5acaJiSdIVfbgNdGO8M2ytayDvM0ncqziEqOc8Y7esTOJCs6+Z+9zlU2t5NU6XXaNn30"
    "/8ixvS0cz0s4DOxIrMULGVHp5KfUIgsdfEnxn5JpBf4nqTT/y/FfKZ3wG0vpLotn6wU0wr"
    "lFsEhAG+cHcR9FnuAbD+ERm1AfDflNg98Silkk6lz8gkxoEASV82+2g2wfcaXN5h1lxbOt"
    "vf9VdMx0QnrQL+gYq+ie8BLHLhl7ZENrtbuo1aYQLiGbLFLuoHSiK3tsh4CtK3soEHYjl8"
    "QKgVEpQg1BZQhiYkApBJJ0KgMAibyMWh7ybGoSkR94Q+0nRMbMHKK3N/2zdwUNVC8GkFKS"
    "eTdatmu5Anq8URE5PSYLFBXXKcITPspc+y9iQbKHw2VqUZqOUQEqhDYEErXHD2AfHDfOrB"
    "6I0mGEKOSOuMQh2CNZJe82dZU1Z6LkS1mqV1B7ZbkqX7DlC7o/yYlBed5wH1GrLNTWvrUu"
    "IAqI/x/Qbuus0z1v8d/hNzh20Wr25DH5bUBbP67bXTgUfFHDnK9lh1eXHXS2kc42euERvt"
    "3ZRspNG7uVbqQ2e3XcpjIuFJViSjIi9haDSpZp6cthXqqna5jVgtl0WLWyMAlCXS1ENYyV"
    "sud8F/brHsS01nLtOfFG9QL2nNAoPid41p7zHWwnkRP0jRe4QdEQe6ISiN8QBheIuBV2Fr"
    "C8HMgUU3NIzAcPOcx8WDThrLPjknsV6O0JFNJT8y092qNW24BGtR8etS30JmSAFMzSpSEK"
    "6BQ2KHCB13Qmnv1IfhHU6I65ZXPZXwUZsTJVMGcm6VR+dZRcJWI6lseFY6ESlwdhkVZlIE"
    "Th5nFQrzkaP1A+f4TCRymam7pvTtFr1zZJ3xbC4ILwHJ1cKjSDeTY0JvIvnMbwOVFBT2gH"
    "RFEkyDxAEGTdR07NTzfEdIcROFdtWJ54r3WEqYXwLXsk/Ay/7Gjs89Xrr6xst3X1PKAD2h"
    "/OibkMzqY07Bi7BNm+h96CK83igNTR4bugQ0o4CfJ85hIL8Zsh71FTuGH57Qxo/OKox+V6"
    "f4iuwwv77IFQD9mevA7vVRTArqPbmVimBRF/qICOHxpQB7v3fMCj/4iHMGRPhuzpP+iWOF"
    "xHuOY3Kq/r/R/0zHllmEP+Arwfz97lawlBUzgfkAuMJcQLF1tNddgXvWFjdQnTCFXyAKf6"
    "UNmEXev1m1fnoiJE+BIO6Jdm/+xbA91C6awB/XrR+sEv5pCnAb3utjvddv9fDXi1mGv7M0"
    "V8wBkvUql1O6cDpRdviDex+TTqMzExenI6G/EZMzUT+kNMZfHzt4cNBBPrTFAoraDYdDwJ"
    "oOA4eVUk4twulIYVCqhBZrm4ewnh9tRPYxN/Zdjy+9gK3OTtbxtwJjaHXGtZw1v3XE8K2w"
    "wUV0wFZ40pX3bJGiDK70gjVBUhl2CPUVAMVsJnaTcanarohEpbKc0pSaTyCvSiStSCEWaB"
    "zYs8/spFU/ue/kZmCwpUiq8xK0rQ05ax+Gc4jMKj0Tvo4ulcm0+NLs4B/tzEl8pms3fWPG"
    "/J/MfXMW/JJ8w0bgWwlDBthRRr3S3yz0QsnrgNiHeEH+Tujpi+zdU6MGdqu8qr2lV0lOVL"
    "RVmWrhSSpFKZ0VDfHQy42BpxtWrqMh/sx3X+otijEbGqmKI2EouZmIbKwRAQKY1CNGBCzg"
    "vzv8OmxD0wIdGpgaYQT+Mw9jAZe4rV4NeGJW1Y2krctGFJG5a0YWk/EdKGJZXRSamaC5A8"
    "k5mxQL092Rk14VYMojvCuA6xRaMMIvJhO2ZZCmD3o/sTOoC0qxi3OUpAgc0kEj0orRG0rn"
    "5vdztXl62rfgPFfgxo8/yyfdVA4mNAz5r95kXn1wYKvqgRPKBT5/JZv7vlmfWWB7uGesa8"
    "XHbLg/g+Y0EYZkq4Csi+/tYlzrzKTb73Yh4DumVDIM9/8fMFXA65u0IkzteXOR9Ct0rxfS"
    "FKeR1SroRE4ctcf4Sugrm9or7e22F/lhG9t0Nod7zutbp92MsBPtN7OQxo+6rdbzcv2n/w"
    "Y9F3fvzyugN08hOChju/t89bXaN5ft5A8V+xc93WVRN2G00dSLS4bF4nGvDfamgQ2rupvZ"
    "uvxWjtwdxqTuuqXhvJQdfbpuhtUxTQn7M4rLdN2RH+K5SHzFnRJY+2l1OaOd2kXsR24sZb"
    "F9pWEwrpTIfMI3IDE+KiewbuoLHMTJOJZ0H3wY6ZDSRcxh6nGI1lPnD23ptr7HvNFZj3xd"
    "CysdjQ+EAr48qOqFQO31HQnqXMxCU14K4wsmRMWtHpZyYs2bBY1YRVDL2l5oXtrcxeE6Gc"
    "EMmJPGdy30BsTCi2q9ha1mUGyJ89LNsbO7i8pJ+m05J+MUlf1tTICXRZZu5KkClc81sWxQ"
    "nmlEDmEHcPMkhQU0Rm0zNK3nhIzkiyyFRD1DNh04IBLxs3me1TEMqXm/ZFH4JNgi86+ET7"
    "j1T1H+ngk11DfQ3BJ5uUtW8gJPOCZaZzzs8tlbLBMioCOw2H3W9e1E7EVDDTnLjufNSvGE"
    "mR2qk0thNJ/DprvELc1behS8z3S1hX/zrcRMlwE5dwVnjZJYuXbbgap1JX8VTJMaf3NHoB"
    "JuvACb35zipqurhTJFKRg9xwqGsHzgH8CPb+KjreRgb6dteVrIW1IWslMUqC4hHqVwRl/Y"
    "q3rI0os0nLSTRpSpW9DzWomJuoBlmXXjHYx5R4yKamM7EK1054ley6gN8y/bkSVBGp8liB"
    "r9IhcGSO1zxpc5vQiidrV8Is3cHLIXe4AxpENh4yM7s6HBG9RmMlNOavdCUsEtQaCV1feI"
    "dg2d86L4oDo3gdFz2jqV3FReOjbg0XjU1NMFHOSBXel0VilRcaYTkTW+JEW/VYZG4XgP2g"
    "tsMwIPgeLPYVUUtRbwlsMSMBQKc8RokVvyJSmX3o6W5VVIJlfhVQUl1oTFbAJFrcKyKy2I"
    "HGYwU8fOZjpyoWSWKV1xbFoQhTkjw2cc2cKO/n/WeLvSjt32z9aJ5BOTX4GNDet063b8ga"
    "CdF3KMrwtXlz0Te6ne9QmWH+Y0Dzi7IFAbJGq9dvXzahpEP6iBouOlE3mq/5FTP/M6l1YE"
    "bBwIzX2SpFNU6vOS09yIJYRzRATldbEBSwG1tOBvxfeefJ5f1o4a2iGyEZMVwmwj5FuoMh"
    "9tsbUr+YSaHrp2xkoXKJyVyr0vuTIt3B92dLU1TyEpNUSlHpknH+vmOpFvVl6SoyVcUl5S"
    "uBinITsoS5w+7fQPkIz/fQLbmDnZXFRvd3UH8CUyQ6JRZyyUFwnfeoOR4Tah0wPjyyK1ms"
    "r+uSWTTz7J1g3tMFSbdX0lmWIRJKlBVm7gSpnrlVn7mT+SrJt7v4+5em1IbKymqHlkY3Io"
    "3qan57Vs1PNZ4vYfFulvPbRwCU0oOY40zG59h2ZjeeEO1ztKFUu3oBnUiQGBbQGJOQaM27"
    "Mt9OzAfi84sIa61IjA0LA6f3R5AH0665hF17pb2bterxcqqHSDMvaQCPU2nRc9XMkh3PZ9"
    "wOEHY+VXE7YNA5iArioXMQFUFD5yC+OhL7lHWwDVDsTS7BNoChQ29VgCKpyBdHIUmnMgBc"
    "n515yLOpSdDRPz4dHhwe8T/09qZ/9i7twFUJmbhRpahBPGGIUdgYLnKd4GaRbdURc9GbN+"
    "iOf1BGi2Y76eJlunjZrrF3o6HeOrlir5Ir9rQi3fYGnyvsnuqDtF0r6KOSjesVHFVSqn9B"
    "d5X2Oykk+Wq/k0JgaL+TiiBov5MSMGi/k4J4aL+TImhov9OrI6H9TmpBof1OCoGh/U4qQK"
    "H9Tqoio/1Or2ywJ55vj8QmgCvNV0u7UfrFERu0YtdH7A6l7l1uz2qh21lVs/u+7cIdM9F+"
    "YxNXpEYus+MGjeqF7bfDiGAzVlu4gBizOrNgu1d/beFVCAxt4VURBG3hVQIGbeFVEA9t4V"
    "UEDW3hfXUktIVXLSi0hVchMLSFVwUoUtp7aRPvXO1XGIIa3OSikbd/eNg4PPxDNYuUDm7X"
    "we06uF0Ht+vg9qw+dHD77ge3fye3Q8YezoljPxI30xWSblJf5giZysYcQdHalpW5ipWgJY"
    "+EwqbtsFE7ItQaMw4A7AbO0SEWmtr+EMFTs7s7NKG+7aDgKrC3u8t7th1iZZegXV/XJUvQ"
    "8mHpTwQPKHnyDez7BOrdY3+lSrTw5scuIp7O0NVtt1dJyHcEzbEthUGcSmV1QUkwYswPZo"
    "py5U1TVLvE/7UVOI3mxUqSypxaabH0unV13r76tYGCLyCCXrR/b3Vb5yCABl+5jNJsX8Ah"
    "+amGQBmsVBkQ5Y77OIke9BmDPi0ClJrSM4hVZjLXJjg3rdAUBBFMN9R+QmTMzKH6MX8O9n"
    "xDTjMcAytDkc4FKotU17jOYTFxXVbK5Jak2r3N7T4WKm/9cUl564+L5a1Nl4i4x/I7JCQp"
    "d3CDhCXMVmlDhJAnS3dEmOusFYBO064BasXes21HWi2LUStQcmr5FqN5k3oRi1GoNRUzGJ"
    "UKnF0l5HVfzBwrLuv5BoyJW8rhEzRXWa+r6u45LLS0Q7N8h8/h4uIev7kSjE6R7SLDN+Ff"
    "42qNSzJW13xGRxQq87jm2ffUQ5Hd/hfkDdmUIhYaYFTYp0ULsvnc362dvhSRdpr8XTCHWU"
    "JOcGapbIOjNlqg2RWBhk+PXsm1Nkai8hqg0joLL1UJDgfNd5C7m1lHGfUJzVhE8/faipHo"
    "jba2aaOtn/8DLIbG3w=="
)
