from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "budget_alert_events" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event_id" VARCHAR(40) NOT NULL UNIQUE,
    "budget_id" INT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "threshold" SMALLINT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "payload" TEXT NOT NULL,
    CONSTRAINT "uid_budget_aler_budget__f99d67" UNIQUE ("budget_id", "window_start", "threshold")
);
COMMENT ON COLUMN "budget_alert_events"."event_id" IS 'public id, evt_...';
COMMENT ON COLUMN "budget_alert_events"."payload" IS 'the webhook body, frozen at creation';
COMMENT ON TABLE "budget_alert_events" IS 'A threshold crossed in a budget window: at most one per budget, window, threshold.';
        CREATE TABLE IF NOT EXISTS "budgets" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "name" VARCHAR(100) NOT NULL,
    "user_id" VARCHAR(255),
    "api_key_id" INT,
    "provider" VARCHAR(16),
    "model" VARCHAR(255),
    "limit_pico" BIGINT NOT NULL,
    "period" VARCHAR(16) NOT NULL,
    "time_zone" VARCHAR(64) NOT NULL,
    "anchor_day" SMALLINT NOT NULL,
    "anchor_hour" SMALLINT NOT NULL,
    "mode" VARCHAR(8) NOT NULL,
    "thresholds" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "updated_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "budgets"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
COMMENT ON COLUMN "budgets"."model" IS 'as recorded, exact match';
COMMENT ON COLUMN "budgets"."limit_pico" IS 'USD limit per window, in 1e-12 USD';
COMMENT ON COLUMN "budgets"."period" IS 'DAY: DAY\nWEEK: WEEK\nMONTH: MONTH\nLIFETIME: LIFETIME';
COMMENT ON COLUMN "budgets"."anchor_day" IS 'MONTH: day 1-31; WEEK: ISO weekday 1-7';
COMMENT ON COLUMN "budgets"."anchor_hour" IS 'local hour 0-23 at which windows start';
COMMENT ON COLUMN "budgets"."mode" IS 'HARD: HARD\nSOFT: SOFT';
COMMENT ON COLUMN "budgets"."thresholds" IS 'comma-separated percentages';
COMMENT ON TABLE "budgets" IS 'A spend limit on a scope (all usage, a user or an API key), per calendar window.';
        CREATE TABLE IF NOT EXISTS "budget_audit" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "changed_at" TIMESTAMPTZ NOT NULL,
    "action" VARCHAR(16) NOT NULL,
    "budget_id" INT NOT NULL,
    "api_key_id" INT,
    "api_key_name" VARCHAR(100) NOT NULL,
    "old_values" JSONB,
    "new_values" JSONB
);
CREATE INDEX IF NOT EXISTS "idx_budget_audi_budget__0b7c82" ON "budget_audit" ("budget_id", "id");
COMMENT ON COLUMN "budget_audit"."action" IS 'CREATE: CREATE\nUPDATE: UPDATE\nDELETE: DELETE';
COMMENT ON TABLE "budget_audit" IS 'One append-only row per budget change.';
        CREATE TABLE IF NOT EXISTS "budget_holds" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "reservation_id" VARCHAR(40) NOT NULL,
    "budget_id" INT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "amount_pico" BIGINT NOT NULL,
    "expires_at" BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_budget_hold_budget__071925" ON "budget_holds" ("budget_id", "window_start", "expires_at");
CREATE INDEX IF NOT EXISTS "idx_budget_hold_reserva_640829" ON "budget_holds" ("reservation_id");
COMMENT ON COLUMN "budget_holds"."expires_at" IS 'seconds since the Unix epoch (UTC)';
COMMENT ON TABLE "budget_holds" IS 'A reservation''s amount held in one budget window; counts only until it expires.';
        CREATE TABLE IF NOT EXISTS "budget_reservations" (
    "id" VARCHAR(40) NOT NULL PRIMARY KEY,
    "status" VARCHAR(16) NOT NULL,
    "amount_pico" BIGINT NOT NULL,
    "user_id" VARCHAR(255),
    "api_key_id" INT,
    "provider" VARCHAR(16) NOT NULL,
    "model" VARCHAR(255) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "expires_at" TIMESTAMPTZ NOT NULL,
    "closed_at" TIMESTAMPTZ
);
COMMENT ON COLUMN "budget_reservations"."status" IS 'HELD: HELD\nRECORDED: RECORDED\nRELEASED: RELEASED\nEXPIRED: EXPIRED';
COMMENT ON COLUMN "budget_reservations"."provider" IS 'OPENAI: OPENAI\nANTHROPIC: ANTHROPIC\nGOOGLE: GOOGLE\nMISTRAL: MISTRAL\nHUGGINGFACE: HUGGINGFACE\nGROQ: GROQ\nCOHERE: COHERE\nDEEPSEEK: DEEPSEEK\nXAI: XAI\nOTHER: OTHER';
COMMENT ON TABLE "budget_reservations" IS 'An authorized call''s hold on the HARD budgets that apply, until recorded or released.';
        CREATE TABLE IF NOT EXISTS "budget_window_spend" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "budget_id" INT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "window_end" BIGINT,
    "spent_pico" BIGINT NOT NULL,
    "estimated_pico" BIGINT NOT NULL,
    CONSTRAINT "uid_budget_wind_budget__efea17" UNIQUE ("budget_id", "window_start")
);
COMMENT ON COLUMN "budget_window_spend"."window_start" IS 'seconds since the Unix epoch (UTC)';
COMMENT ON COLUMN "budget_window_spend"."window_end" IS 'exclusive; null for LIFETIME';
COMMENT ON COLUMN "budget_window_spend"."estimated_pico" IS 'the part of spent_pico from estimates';
COMMENT ON TABLE "budget_window_spend" IS 'What one budget''s window has spent: the row that HARD-limit checks lock.';
        CREATE TABLE IF NOT EXISTS "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "event_id" BIGINT NOT NULL,
    "endpoint_id" INT NOT NULL,
    "status" VARCHAR(16) NOT NULL,
    "attempts" INT NOT NULL,
    "next_attempt_at" BIGINT NOT NULL,
    "last_status_code" INT,
    "last_error" VARCHAR(500),
    "created_at" TIMESTAMPTZ NOT NULL,
    "delivered_at" TIMESTAMPTZ
);
CREATE INDEX IF NOT EXISTS "idx_webhook_del_status_d0f04a" ON "webhook_deliveries" ("status", "next_attempt_at");
CREATE INDEX IF NOT EXISTS "idx_webhook_del_event_i_9d8063" ON "webhook_deliveries" ("event_id");
COMMENT ON COLUMN "webhook_deliveries"."status" IS 'PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED';
COMMENT ON COLUMN "webhook_deliveries"."next_attempt_at" IS 'seconds since the Unix epoch (UTC)';
COMMENT ON TABLE "webhook_deliveries" IS 'One event to one endpoint, retried with backoff until delivered or failed.';
        CREATE TABLE IF NOT EXISTS "webhook_endpoints" (
    "id" SERIAL NOT NULL PRIMARY KEY,
    "url" VARCHAR(2000) NOT NULL,
    "description" VARCHAR(255) NOT NULL,
    "secret" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
COMMENT ON COLUMN "webhook_endpoints"."secret" IS 'signs deliveries; shown once';
        ALTER TABLE "api_usage_logs" ADD "api_key_id" INT;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "api_usage_logs" DROP COLUMN "api_key_id";
        DROP TABLE IF EXISTS "budgets";
        DROP TABLE IF EXISTS "budget_window_spend";
        DROP TABLE IF EXISTS "webhook_deliveries";
        DROP TABLE IF EXISTS "budget_reservations";
        DROP TABLE IF EXISTS "webhook_endpoints";
        DROP TABLE IF EXISTS "budget_alert_events";
        DROP TABLE IF EXISTS "budget_audit";
        DROP TABLE IF EXISTS "budget_holds";"""


MODELS_STATE = (
    "eJztXetz2rgW/1c0/tLuDOnknS79RBOacJdALpBtt8uOx7GV4ImRWD9Csnv7v18d2cYPbG"
    "IbSAVoJhO/dGRxfrJ0Xjr6VxlTA1vOh4aFbbf5hImr1NG/CtHGmJ1kPK0hRZtMomdww9Xu"
    "LF78zjMesKtqUFzFUJ4/1+4c19Z0qPpesxzMbhnY0W1z4pqUAGEDuSMbOyNqGUi3qeNgA5"
    "kEacivEU1NYtBpHWkuGlPHRZRgNMF28LgWPK9FtXyA9xpUZy82ycP6XuER828Pqy5lZUbY"
    "Zi/688+QDaYBJXw61XE1m3NvRq/89Re7ZE/xM3aAEC4nj+q9idnDOAp+Rfy+6r5M+L3P5k"
    "OLuF94Wfipd6pOLW9MovKTF3dEyYzA9MF7wATbmovhDa7tARbEs6wAwRAe/2dFRfxWxmgM"
    "fK95FiAK1H4DonuKqna6A7XfHKiqMod2SBFDJ7ilUwI9xYR+Awx4gCbs/Xp4eHR0drh/dP"
    "rx5Pjs7OTj/kdWlrd3/tHZD78xEbf8qjjPWpetzgAaRFl39Lss3PjBaTRX86k4GBH3eT9W"
    "szA4H2l2NgJxmhQO7AemcQi5/tZAKBPvzjJ1ZBo1hJ9c9cOHuc8mB5ix9qxamDy4I3Z5vL"
    "+A5783eudXjd774/1fkozvBE8O+SOAIGJ54gNK8jy30ydoXu/7RXge3oiYHg1fb9f9Dw+O"
    "z44/Hp0ez3r97M6izh527Iir6ZGo+ICSptwm9r7J6BKBEA3/cwj0x5pl5WKQINwmAI4Oz0"
    "5nLIeLRUzuXzfa7Xmu6jaG361qGR37gj1xzTHOZmuSMsVXIyD9EJ5sIJcXMHPQum72B43r"
    "G6h+7Dh/W5xfjUETnhzyuy+pu+9PU+P4rBL0tTW4QnCJvnc7Tc5OJkg92PyNUbnBdwXapH"
    "kuVQkbVTQjzpPwdngrAfNEe7GolvHpDPBzzmcTI1nNRLweONnnjdEU340ofUR31HipoXub"
    "/oMJyKO8j0K5pQFvfhsksA4n4ffXjW+/JPBudzuXYfHYpH3e7n5m3x6IqvePMXEJbtxp+u"
    "NUsw117gk9pHll5x+ND8fpOxrRHjir4RfD7wv1kon5G35RsjQW/8lCbUWbmOojfimmouR/"
    "bxkqwDKC/a5I9UuKNfnyOj+WkNXD8iIPD8WZm5DMD/aLiOasVK5szp8l59qJje/N5zIcji"
    "gE1oVgAH4yHZO9E3FBF9F7BDcdzMZft4pidHRYgPtHh7nMh0dJ3vttUZ2RdnhyWgaCOUKR"
    "e7syws+of9XYY20NUZgy0XcZLE6PC2BxepyLBTxKYaFTqKMMCDMKobmv0/FY23PwROONQf"
    "5c2ofGI/jxjhj89xxslzTLxEgqIRCMM+sGYDpicp8DRkfo+UxEYRfYQZRYL+yO6SD4He/g"
    "wMSiKmAcnpwUQIOVyoWDP5M6WNFZmf1Ao8vgC/rQhuhkQXdfqJJZmuOqrD9WwT1NuwLk3+"
    "YL3Unl28ZP9LESzklKibJoKAuizX/mFnwlQ5sPntRe9z0W9jc6E0wMZJljE1x9SENcOEPv"
    "Ncvy59UauwfzLKI20ghq3LRgJv6lxp2CusbmUkOzA69glrdx9S+QhgZpaBBmzHsDQ8PWCv"
    "gVmbwWqT0wgpbztSaJKjmjROP0in2tE5s+mQa2sztvk3hjztkWa4RGdJxhMovoBe7JSvem"
    "2Wm06sg/DkmjM7jqdW9a53U0Ox2Sy273st2sI/84JNet/qDXaNdRcDIkV7eXl63O5ZfGOS"
    "sWu2C0ve5/GSX7PyTn3atmjxXwj0Ny0Wze9JvN3+ooPBuSb9Ccb9CW7oCVYk2DQxUt+eC0"
    "yJiWFtZiQ9pp+mPjYkuZ8WxGIHIf0BxkY53aBoY4kmcmeKGx5uojYSwTXAhTJ6ZO53m/KO"
    "whSSeyz1257V8EsiZIj2GsmknQAd47OETscUE0fkpQBGuzSXMm+gJj5YxaZMmKqXd/sHGq"
    "8ceQfOVD1lc+XF132TDJBkI4DEm79YWrgHUUnokxcIFerv5DSSl5N0EkMjQV5bHVm7RZ9x"
    "5RWzW0l3k+L44OSlIKPVQFPZ41FR3sHR18Qv7n0Op30RTjR//+WanhahUhRAEHR9TLENoK"
    "MT8kFZr7FtU1C0FT0f7e4RGEl0xHpj4K5gwHzYL83pT7IOhUHf9DWpGHGIV98RdMsmX/h6"
    "Tf/TKoI/hfZXT/WGDU+Zg76HycG9rDuMJSrswkldCcT7szmbigY+JqD9UcmdJ3Jn1niXLV"
    "fWfexKiIepJSoi4K6hkuFt56oTwsDc8wF7hZ/Me1Iuu8ZiVfdbh0CUasPkyMPR7GYNNpbH"
    "UV0kcaecDzbpTiZK87R/5VIi4lV4uw/1AWP08Yyg5r8YyTAYOCPhp+YAovzH4xv/gh120J"
    "uW7L7xyV5tQEpRxdRRldi8ypbBQKIuWrqBIRtdAi7XmvyVhdR/5xSG5vLvi1fwS7eLsJ1/"
    "5RDBOSXNOnrMHPJN13a2VrWRd/mk7kUUQkVz9lFT1plpcVT/2ffreTze0kVXqeNnUX/Q9Z"
    "prOB/XkBh4Edibl4bg1XerlWapKFCj6n+E/wtAL/k1SS/+X4L5ROeEVTusv801oBjXBmES"
    "wSgsf4ge0nvrLxnYO0MfWIi0as0eC3hPQbicwcn5AOBYIweHZmWsh0EVPaTFZRVgTeyutf"
    "RsdML6EP6gUdYxndEz7i2CtjP1mVWu02arUphEvIJvOUWyidyFwkmyFgy1wkAoTd+FNihc"
    "CoFKGEoDIEMTGgFAJJOpEBgKXHlBgOckyiY76i8ZaYzwhPqD5C728H578UNFC9GUBCSea9"
    "aNpWcgX0eKEicnpMFigqrhOkeayX2eY/2IDlKRaTqXkyPUo4qBDaEEjUDruhueC4sV5qgS"
    "gdRojCahcbW1hzcFaSvnW9ZcVrZ/KlLNFzvv1kuSpfsGUTuuvlxKC8briPqEUWapWrZhui"
    "gNj/Iek1z7u9iya7Ds/gXrvZ6Pv3/LMhaX67afXgVnAihjlfyg4/XXaQ66Pk+qg37uHbsz"
    "7qrUZ8uUBK4AVSws0jMtJUTKePSFEwGTGG82Ewi+wKi2FeaFmQMIsFs27Raql3EoQyI4to"
    "GAtlgfrKLe59iMJVci1Q8UK1Ahao0Iw/I3jVAvUVrD2R2/adEzhu0UhzeLYVt85NRBAjzC"
    "1DYCva8xfF6iOsPzrIovrjvNFplRWX3A9CbgEhkGadb5uSPkBlDTrgbvgAN9D/kQFSMEqX"
    "hiigE9gEwgRe3fIc8wl/4tTontplV9//FGT4zFTBAJukE/nTEXKWiOlYDhOOuUpcHoR5Wp"
    "GB4MmxJ0FO7Kj/wBYFYxT+lKKraXfNjXtjm7rPkDnROXy0UGAGY3Jo7mQnEcVKtyz4M2FS"
    "5c0AEzZc4Pt7rLtsgFQB7+Vk1l0RWNeWdFAazqXhPM9wXnq5SpJK6O6gOVx01oyxSdDUpi"
    "5GJiRIt83xGBtVQFiLeT0xcJaDISASGoWow4ScRxpkuaVTbO/pEG1TR1MwkViUPnoTR7BE"
    "cCaZeC6b9h4xYex3qkjPuVUILb9BejhYN89bj3jrNyc7HPXcpWHLr2MjcPObv2nA6Zo+Yh"
    "rOCr6612oS2L4guBLLOatObdPFK4AovyKJUFWEbKw5lLB2LYfPwmokOpWNQEnleA6SV5zt"
    "c9Sb43BX+FZET9iGtYUIDBM42JLItwu5sIvRKjat3ASHbUIH8C1B6l2OElAgo2GiBqE1gm"
    "bn91av27ludgZ1FLtgCvvFdavDlHU4MAW7MWi0u5dMw/ZPxFCbZTRUPuu3N0eQzLu3bahn"
    "jMsi5d0L7Py5ifcSz2uLnAGB/b9E6r1SXoBF6Qxy/QMy0cDmCrIyfd7uDJIyfV5oVbvpN3"
    "sDSJcHx3S6vCFpdVqDVqPd+s7uRefs/vVNF+j8oxgSrPQHSn/gDvoDRVpSs90+P5E4LRdj"
    "riUQV2a7lNkuBV2tI7Ndbgn/xbLE9PCT6eRk1EkXqRWxx9jx0oV2Q4DVRNMRdbCfdxLb6I"
    "GCA2WCpqY7QvgJ2y8oqD7Y6KCOuJPVYRTjiWZDBFT2lgkrrFtuOi1W/Ge8o5Vx/kZUIge8"
    "CGgjE2TgugXHaptmhpHPni0cqkBa4+5Z1aIPxbJ+rcx2THXds+2ZTXBJi3Eq6W0sqU38PS"
    "t8Q9xIsqZXzBJZrKp+aVYX0qxuY8YKJ3st6aLcvXGqrcsutxZjgUyP9QZMluZnaX7emTxO"
    "fBkkbyniSyCCNSmQphRULO0JtKYqAKzl0+Rhno4fM11uxk9TiqwxKIz5TJVlSmsQHu/UfE"
    "0WUsYyddYkuuUZhVcI/ZQY0oDffpB/JagiUuGxAvuCheHODK9ZaPImoRVfklAJs3QFb4fc"
    "/hZI2Nl4+OsPqsMR0Us0lkJj9klXwiJBLZGohsSuLnYUHJbdXc0oODCCr1aUI5rYaxUlPu"
    "KuVJTYKJyJ/ohU4XuZJxZ5ouF2mumIWji0DDimgWd2AUhktRmGAc73YLKviFqKekNgixkJ"
    "ADrhMUrM+BWRyqxDDnfLohJM88uAkqpCYrIEJtHkXhGR+QokHkvg4VJXs6pikSQWeW4RHI"
    "owjNChnq3nxGAXcaamaxHam9b81jiHpAFwGJL+Vbc3UDuN62YdRefg+vzSuG0P1F73K3g/"
    "ZxdDkp964PNtqz1oddRmf9C6bsDSrvQdQdykkB2NzfkVV+tkUsvAhYKBC/63UipINUkkl5"
    "JkWDeTgX5llg2nSLdw3fCGrBMOebJ4obBcirWO7yfcwLbC95Mi3cLvZ8vW3YsUWd7Dk/w0"
    "5akStUVR5n6EuY3LJyrhK1f8/GEWfXgHK1Ec10F3+J7amKeZ1e5hKYsGe0SzSrGBbLwXvO"
    "cDakxgK6E9yrpH9qKY1VVdMvh9FnQfjHsyX8rmqmyLArt5CrxqI3eCVI7coo/cyTDz5Ndd"
    "/PtLU0r7SWX7iZRGZWIAmRhg+YXpovF85zID7CIAQulB1LK8yYVmWi+3Dhftc7ShVLlaAZ"
    "2Ik6gG0KheSLTiTZzuPP0Ru+wlPK8QX88W5hhKp2/0byY8BnI7UoGkm1fXkGaMUYvDqiIq"
    "KWouG+C+5cuqNgOErV8xJTgMuxRUuAlQ7Eyo4CaAISNrRIAiKRAXRyFJJzIATE58CXcXP/"
    "j1bH9v/4D9ib+zeFw5KWpYSig0AhuVeCgzNBaZRg1RG717x/cVJ5QUDWaWuTtk7o6fE5S2"
    "lbk7RIw9k9GeWx/tKbBtcwAiplLQwOkXrlWwcvqi7BvaOqURUyBxTxoxBQJDGjFFBEEaMQ"
    "Uw1kgjpjBQSCOmQGBII6YIUEgjpqjISCPmT7alMGXAHPM9eZcarxZWI/SHAyBBRhNE71Gq"
    "7f6m7Aa6e6lqEdnJXRZ808cV9Wwer77IPhIUqhW2i4wigvVYQ+AFvM/KcK/Nmu2lpUQgMK"
    "SlREQQpKVEAI1QWkqEgUJaSgQCQ1pKRIAiJQWXNpXMxGeBIVCgkfPGksH+fn1//7tomp2M"
    "OJIRR3UZcSQjjmTE0S5FHH3FdyNKHy+wZcJuw0qGHS1dpLbIijb1CzP0eWkTF9vBlGd+wU"
    "+YwO5QsCMUwsSYUAYAbDvE0MGGvycy/Gp6f4884poWCt4Cm0jZrGbTwkZ2UpnVVV0yqQz7"
    "RF2P84DgZ1fVXBePJ+6KNyXlv06V+Wo2VzLOtyrOsC2FQZxKZBlZSDBizA9GinIJS1JU28"
    "T/laUsicbFKhJORC20ZMO0igumCdRRcAJSTLv1OxP+L0CGCU6H5Euj1YZb/lEMYT+YqTIg"
    "yk/UEyORnT6j06dFgFJDegaxyExWHMy4aYT2D3B/3xLzGeEJ1UfiB4xYmuOq/jDDMDAydL"
    "FcoLJIZdaqHBZj26Y5dqYF3J1RbV8W7ZNCCatOFiSsOplPWKXbmAfNlM95mKTcwpSHC5gt"
    "UorDkCcLcxzOdNYKQKdpVwC1YN/ZpiMtlsWoGSg5Sr7FaFakVsRiFGpNxQxGpaKulomf2h"
    "Uzx5LTer4Bw7NL+QyC4iLrdVU9BvuFpnYolu8z2J+f3OONK8HoFNk2MnwdLhqm1tg4Y3bN"
    "Z3REITKPFcd8IA6K7PafkDOiU4JoaIARIfOqFGTzub9dubsFkXYa7FvQR1lCTvBkoWyjRW"
    "WkQLMtAg0bHp2Sc22MROQ5QKR5Fj6qEhwOim8hd9czj1LiYpIxieZnz46RyNTZm5Q6+8f/"
    "ARxe2TQ="
)
