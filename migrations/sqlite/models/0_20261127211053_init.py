from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "api_provider_pricing" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "provider" VARCHAR(16) NOT NULL /* OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER */,
    "model_name" VARCHAR(255) NOT NULL /* as the admin wrote it, trimmed */,
    "model_key" VARCHAR(255) NOT NULL /* model_name trimmed and lower-cased: what lookups match */,
    "input_token_cost_pico" BIGINT NOT NULL /* USD per input token, in 1e-12 USD */,
    "output_token_cost_pico" BIGINT NOT NULL /* USD per output token, in 1e-12 USD */,
    "managed_by" VARCHAR(16) NOT NULL /* ENVIRONMENT: ENVIRONMENT\nADMIN: ADMIN */,
    "created_at" TIMESTAMP NOT NULL,
    "updated_at" TIMESTAMP NOT NULL,
    CONSTRAINT "uid_api_provide_provide_cbb17f" UNIQUE ("provider", "model_key")
);
CREATE TABLE IF NOT EXISTS "api_usage_logs" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "request_id" VARCHAR(255) NOT NULL UNIQUE,
    "user_id" VARCHAR(255),
    "provider" VARCHAR(16) NOT NULL /* OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER */,
    "model" VARCHAR(255) NOT NULL /* the model name as the caller gave it */,
    "tokens_input" BIGINT NOT NULL,
    "tokens_output" BIGINT NOT NULL,
    "input_token_cost_pico" BIGINT NOT NULL,
    "output_token_cost_pico" BIGINT NOT NULL,
    "cost_input_pico" BIGINT NOT NULL,
    "cost_output_pico" BIGINT NOT NULL,
    "cost_total_pico" BIGINT NOT NULL,
    "pricing_source" VARCHAR(16) NOT NULL /* EXACT: EXACT\nSHORT_NAME: SHORT_NAME\nDEFAULT_ROW: DEFAULT_ROW\nENVIRONMENT: ENVIRONMENT\nBUILTIN_ESTIMATE: BUILTIN_ESTIMATE */,
    "matched_model_name" VARCHAR(255),
    "pricing_id" INT,
    "occurred_at" TIMESTAMP NOT NULL,
    "recorded_at" TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_api_usage_l_occurre_8587f1" ON "api_usage_logs" ("occurred_at", "id");
CREATE INDEX IF NOT EXISTS "idx_api_usage_l_user_id_4fcacb" ON "api_usage_logs" ("user_id", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_api_usage_l_provide_5b169a" ON "api_usage_logs" ("provider", "occurred_at");
CREATE INDEX IF NOT EXISTS "idx_api_usage_l_model_b06ca9" ON "api_usage_logs" ("model", "occurred_at");
CREATE TABLE IF NOT EXISTS "aerich" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "version" VARCHAR(255) NOT NULL,
    "app" VARCHAR(100) NOT NULL,
    "content" JSON NOT NULL
);"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        """


MODELS_STATE = (
    "eJztWm1TozoU/isZPu2d0Z22vt5+w4rKvRbcFned3e5kIsSWEQILwZfx+t9vEqC8tNQWdU"
    "W3X1pyck44eZ68nRMeJNezsBN+Pgts0yZjqQseJIJczB7KVRtAQr6fVXABRZeO0EW+Df3A"
    "u7EtHLCHzOIypAEyKdO5Qk6ImcjCoRnYPrU9wqQkchwu9EymGHuQiCJi/4owpN4Y0wkOWM"
    "WPH1L6Dt62cANe43vp509WtImF73DI9XjRv4ZXNnasQpdsixsKOaT3vpCphB4JRe7GJTQ9"
    "J3JJpuzf04lHpto2oVw6xgQHiGLePA0i3i/udgJH2tW4C5lK7GLOxsJXKHJoDodLmMkkCD"
    "XdgEPFgFBaATnTIxx15mooej/mLmx22tt72/tbu9v7TEW4OZXsPcavzoCJDQU8miE9inpE"
    "UawhMM5AzXNShLY3QYFCIlfgqzKnEDHxDM55+xLarBtltFNsF8GdCjK8s8FXH3BJP1M0We"
    "2C+H9EZM04Gehnaq8Lpo8jcqzrx6dKF8T/I9JXh8ZAPu2C5GFETs6Pj1Xt+EjuMbVcgdkO"
    "9C/Mkv2OSE8/UQZMIf4fkUNFORsqyr9dkD6NyAV354L7ohtMi7nG/6TlhoWL7qCDyZhOWL"
    "G9u2AMfJUHvRN58Km9+xdv22MzOp72WlLTEVV8mJSWDyhKcwfG/ElXtGr0cEAhYAsTQJZr"
    "E3AbeBQDm26wqW27LrbqkNDZ2VmCBaZVSYOom8cDXyZXpiExajQL2YBJkQeIWMDxbnGwaa"
    "IQW11wO0GUSbzryA+Bi6g5aQw7NvEjyja5a0wY/CGFvm16s0wd2OPqfaqqiae3rjfk7Xx4"
    "CHwcAOE9EN5vsAJo4812B7DaJSmKN7e/O52trb1Oa2t3f2d7b29nvzXd5WarFm13B+ox3/"
    "EKBKZbYMaaF9Fn01bdxrvgLXb/vRHnIoLG2IKXFavh06eVYguNXhoV7as60LW+ohldkCuw"
    "k8thX9XYqYX/NeO0YAaYAwYRnSXmkNVQ28Xz51HRskSIlZh+Th+aQ8/y53fWQUsnzn0SNy"
    "yA3lD7ytCQ+2ciPgrDX47ATzYUXtMR0vuS9FOZpmkj4JtqnABeBN91TRHwsnVqHIg3ZnrG"
    "d4n7hCLqQeLdQmTlQpxUmqJWYD3yrZqsFy3XrDeF9RSjHO3Cex6SX13n4kcuuETm9S0KLD"
    "hT43W8Kt3ZKrfjliXxIp2Ay91MkhnnIZOfenMTHdO6jacyHRHXhI43Dl8+x1FKZTxIWc8k"
    "zzSjIJiOetuSuDa+8xk3IXvXtP9Jz5K3pNNCEsrMV1EQEzHXeBTiAMY5j/x7XvAN+UD/lV"
    "4hCHvJ9ldKJS08pX+sbNJvObdV55wCzKBgR+Z5LFRHtUWrlzm7vS0Zrx+g5paFZWHOmdTC"
    "OEGwMTvx64O8TqGuU6hVKdSV03aNHwQ8ayo8BSJtl+RRTeQ4OABjdMPzqI1J0IkERwhFmm"
    "q1Hb9s2eS0TiO3/xkS4pxTLRYy0zUNtWn4U5PVDaflz81GN5wYgWM84ldnZI7xmornUZEM"
    "8ppclKzXZDyPDOpR5NTlomi8pqI2Fcm3WjD0osCs+FJjmfiz3EqjAxDlQu7xKzH+NyLDE3"
    "1gQE3us0gxe+bR4pF8fmrAgf6NB4zTwohUX6wdnKunhqpBZWiofdlgLZYlDYks+UcQ2II1"
    "P9KZa73O9SyZ64nnykrfIhaNaq13TUP6Rb5KzB2Ci3cjq9wllkw/4GXi+708nL0zDrDpBV"
    "YtokumH5Dod3prXPWtQENujWXMlt+JNOfOOKnZWHhjnOm85k3x+qP33/nR+w0O+GXyKqem"
    "nEmTT8dNOivxSbUCwon6B0S33WotEwK0WtUxAK8rh+GEYjJnF/1nqGtVwffUpLx72iYF/w"
    "HHDt9j8L0AXA5GYYtMMf3Uly/KcPdO9YPy3scbOGDQv+lm9vg/zEQJxQ=="
)
