from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "api_keys" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(32) NOT NULL UNIQUE /* the visible start of the secret */,
    "secret_sha256" VARCHAR(64) NOT NULL /* hex SHA-256 of the whole secret */,
    "scopes" VARCHAR(64) NOT NULL /* comma-separated ApiKeyScope names */,
    "user_id" VARCHAR(255) /* when set, the key sees only this user's usage */,
    "created_at" TIMESTAMP NOT NULL,
    "last_used_at" TIMESTAMP,
    "revoked_at" TIMESTAMP
);
        CREATE TABLE IF NOT EXISTS "pricing_audit" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "changed_at" TIMESTAMP NOT NULL,
    "action" VARCHAR(16) NOT NULL /* UPSERT: UPSERT\nDELETE: DELETE\nINITIALIZE: INITIALIZE */,
    "provider" VARCHAR(16) NOT NULL /* OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER */,
    "model_name" VARCHAR(255) NOT NULL,
    "model_key" VARCHAR(255) NOT NULL,
    "api_key_id" INT,
    "api_key_name" VARCHAR(100) NOT NULL,
    "old_values" JSON,
    "new_values" JSON
);
CREATE INDEX IF NOT EXISTS "idx_pricing_aud_provide_92a7b3" ON "pricing_audit" ("provider", "model_key", "id");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "pricing_audit";
        DROP TABLE IF EXISTS "api_keys";"""


MODELS_STATE = (
    "eJztXG1TozoU/isZvty9M3VHq1Zvv6HLKvfa1tvirrPbHSZCbBlpwkKwOnv97zcJUAotta"
    "DdjV2+CJzkJIfnycvJ4dQfyoTYyA3eq57zD3pU2uCHguEEsZtcSQMo0PNSORdQeOOKqtBz"
    "zDv0KITwJqA+tCiT30I3QExko8DyHY86BDMpDl2XC4nFKjp4lIpC7HwPkUnJCNEx8lnB12"
    "9M7GAbPaAgefTuzFsHuXbGWMfmfQu5SR89IdMx/Sgq8t5uTIu44QSnlb1HOiZ4VtvBlEtH"
    "CCMfUsSbp37IzefWxW+avFFkaVolMnFOx0a3MHTp3OvemKlMMc1uzzAHmmGaSgmALII5uM"
    "zUQLz9iJuw09w7ODo43m8dHLMqwsyZ5Ogp6joFJlIU8HQN5UmUQwqjGgLjFFRxXYD1dAz9"
    "5bgm9XPIMpPzyCY4roI2EaTYpuPpZ4A7gQ+mi/CIjtnj3u7uCig/qf3Tc7X/jtX6k3dJ2A"
    "SIZkY3LmpGZRzvFF/PR7fOQxmEU43XwXgTw1dhcxfcO4HD+gQBhT4F5BZwYYAsH4lZVhb+"
    "/eYa6O83C8HnRVnsI1vMYAybh60yFCwoyjzalTF6AINzdYfZmrAwHRP3JVy0DtbgonVQyA"
    "UvynFhEd5GGRJmGlKjb5HJBO4EyIPCGBDtpQNuPOAvH8iBfxgg31y2gxYTMKdSiYF4ndk0"
    "AdMxwmyo04YY+cxFYQ8oAAS7j0ziBIC/xx/8AkeoChnNw8M12GC1CukQZVk+2MzkyJmQLl"
    "LygZVQZ4KW05LVzDFjx6rvkxt5Zsr6uzJ7QbvH6IvH0ArwDb2jDQy1c8m7mwTBd1fgpxoa"
    "L2kK6WNO+q6V42nWCPisG+eAP4Ivva4m4CUBHfmix7Se8UXhNsGQEhOTqQntuW01kSaoZV"
    "h3YUBNNh6r8J7XfQXmf84MXZv4N0J0gslKpn10T+4q8ZzVrFmWjWV+Pr29mztMccENtO6m"
    "0LfNhRLSJEV1F4smzUleAjHbtuwYTW5nfGa/9B0rgnnhOJ8UNZ47z3s+uXdstst7cxqver"
    "b/qiR9KInpPIqgfKsP/b/w0D/PyaI3qOFwIvDVmVEQW2jJETXVl9o5711qXVVvg+g6xGrX"
    "OO/3LvXTNpjdDvFZr3d2obVBdB3ijj4w+upFG8Q3Q3x+dXamd88+qqes2twD0+33/mWa7O"
    "8Qn/bOtT6rEF2H+IOmXQ407Z82SO6G+Jqbc81t6RmsFjONX6q4pXutdaIV+dVxLljRyvuk"
    "0fQsGxHKakk9HGAgzgjQnjgYTH1CEXD4ucF3JhNkS3M2SJfJ0jTESlKzkA6YBHkAsQ1cMk"
    "X+jgWZh9sG0zGkTELuQi8AE0itsTTsONgLKdvk7hBm8DOf3HMsssjUiTMq3qeKmnh+6/qF"
    "vF0NPgAP+UBYD4T1DfYA9tDOXhOw0jUpija3v5rN/f2j5u5+6/jw4Ojo8Hh3tsstFq3a7k"
    "70M77jZQhMtsCUNRLSF9NW3Mab4C0y/60RFzvA5k3Bavi8t5JtQeqlUet+0vu9bkfrGm0w"
    "98A8lw8dvcu8Fn6Rw1uoI1jF0G9vBCv07IqsZzVr1mVhfUmgQ1gvV5xDDW2HKsXBjqi8sS"
    "riEQc5TDirusk0hh9K+oIFQZCGiFhwPfTgMbIC1usMkPg14/6SeaKIysxq8fBUKmyy0iPd"
    "rsjJT/FRiuMr1hjiUbWtMaNZL5KyLJLrbI1sJeFgVPRSU22pPdSry4HWZ85pdOUxrgvN0H"
    "iEi1+HWO/qhq5e6F+YLL2Xw2Otw5512PM3DHtWTIerQ5tvGuk4X3dpzk+hG5hVqhTVkuxr"
    "8+t8SluEtexykdfbwmG8kfxZwhq6h264LHfw70GvWxCpzWjl3WjHouA/4DrBGxzPKxDmcG"
    "Rc5QTYdx31Oo/56UXvJO8D8wZOcvhjNK2Af1arxr8c/pJEXq54wuQFWZpiMitrPJdjItIu"
    "TZeMNv/LkUzIhVhW6Puzo/QLAy18Ssw1PpcaO9/PK/Ywf9bYUBeCsNdsv45GSRmN8hGDIq"
    "Als7+zWvL+FEUmn3trk+xlArmO4tRRnKIoTumogvSDgOerCUvFj4lAnMFmQddFPhjBe57B"
    "VoWAjUxNkVoSmCJBqNyOn9eUOaFGyu1/gYQo26cSC6lqTUNlGn7XNEHJafl98wAlJ0bgGI"
    "348owsUa6peBkV8SCvyEVOuybjZWRQQqFblYusck1FZSqSBLKAhL5V8PVnnfNnvhWpDyDa"
    "tXrKk5H5ZYgH572+YXbVDjsppvf8tPhRvbowzH7vMz8wzh6GuDil+eRKvzD0rqkNDL2j8i"
    "SSvESSkyX/+QmyzYp5Aku161jPmrGeaK6U+oidVao/Yi9xgrPfRsokKOZUtzBD8Y1kJC5J"
    "215MSfSRRXy74r8hyKhuIdFblooqyVdjFbHld6ws+y+DUUlj5RfjtE79Pwbf1vZS/AHyHv"
    "lBYWb0cmjnVGT2jmXylfikKoFwXH0L0d1IHhrrkSK8ZBctToKaU3lRBpRsaG99CtTT/3+g"
    "mn4="
)
