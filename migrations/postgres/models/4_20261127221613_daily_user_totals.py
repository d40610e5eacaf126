from tortoise import BaseDBAsyncClient

# The new rollup is filled from the existing logs in the same migration.

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "usage_rollup_daily_user_total" (
    "requests" BIGINT NOT NULL,
    "tokens_input" BIGINT NOT NULL,
    "tokens_output" BIGINT NOT NULL,
    "cost_input_pico" BIGINT NOT NULL,
    "cost_output_pico" BIGINT NOT NULL,
    "cost_total_pico" BIGINT NOT NULL,
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "bucket_day" BIGINT NOT NULL,
    "user_key" VARCHAR(255) NOT NULL,
    "estimated_cost_total_pico" BIGINT NOT NULL,
    CONSTRAINT "uid_usage_rollu_bucket__ccdd1f" UNIQUE ("bucket_day", "user_key")
);
COMMENT ON COLUMN "usage_rollup_daily_user_total"."bucket_day" IS 'days since 1970-01-01 (UTC)';
COMMENT ON COLUMN "usage_rollup_daily_user_total"."user_key" IS 'the user id, or '''' for none';
COMMENT ON COLUMN "usage_rollup_daily_user_total"."estimated_cost_total_pico" IS 'the part of cost_total_pico priced by BUILTIN_ESTIMATE';
        INSERT INTO "usage_rollup_daily_user_total" ("bucket_day", "user_key", "requests", "tokens_input", "tokens_output", "cost_input_pico", "cost_output_pico", "cost_total_pico", "estimated_cost_total_pico")
            SELECT CAST(FLOOR(EXTRACT(EPOCH FROM occurred_at)) AS BIGINT) / 86400, COALESCE(user_id, ''), COUNT(*), SUM(tokens_input), SUM(tokens_output), SUM(cost_input_pico), SUM(cost_output_pico), SUM(cost_total_pico), SUM(CASE WHEN pricing_source = 'BUILTIN_ESTIMATE' THEN cost_total_pico ELSE 0 END)
            FROM api_usage_logs GROUP BY 1, 2;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "usage_rollup_daily_user_total";"""


MODELS_STATE = (
    "eJztXWtv4jgX/itWvsysREeUdtpZvqUt07LbQl9Id0czXUVuYiBqsLO5lKJ557+v7STkAq"
    "EklNaApaohjo/jnCe+nMfnOD+VMTGR7X1SHetPNFWa4KeC4RjRH7krNaBAx0nSWYIPH2ye"
    "FTqW/oimPBE+eL4LDZ+mD6DtIZpkIs9wLce3CKapOLBtlkgMmtHCwyQpwNa/AdJ9MkT+CL"
    "n0wo9/aLKFTfSMvPjUedQHFrLNTGUtk92bp+v+1OFpbex/5RnZ3R50g9jBGCeZnak/IniW"
    "28I+Sx0ijFzoI1a87was+qx20ZPGTxTWNMkSVjElY6IBDGw/9bgPepKm6Hqnq+n9lqbrSg"
    "kFGQQz5dKqevzph6wKB43D49PjL0cnx19oFl7NWcrpr/DWiWJCQa6ejqb84tehD8McXMeJ"
    "UvlxTq3nI+gu1mucP6dZWuW8ZmM9LlNtnJDoNnmf3kK5Y/is2wgP/RE9PazXl6jyL7V3fq"
    "X2PtJcv7FbEtoAwpbRiS41wmtM34l+HRcNrOcyGk4kXkfHm3h9Fdp2wZPlWfSewPOh6wMy"
    "ACzRQ4aLeCsrq/6jxgraP2oUKp9dyuo+rIvujWDj80kZCOYERX7blRF6Bv0r9YDWNUZhMi"
    "L2OlicHK+AxclxIRbsUg4Lg7AyyoAwkxBa+wYZj+GBhxzIKwPCsbTPKg/Yw3ti6D/wkKsv"
    "GkGLAUiJVEIg6mc2DcBkhDB91f0af/PpFIWeIA8QbE9piuUB9hwf2AEOURUwGp8/r4AGzV"
    "UIB7+WxYO2TKY5HfrzkFzQK741RothyUrmkDEj0U/xD3FayuqjMn1As0vhi96hJcrX2jet"
    "vqbe3LLbjT3vX5vrT9Va7EqDp05zqR9PcjjNCgF/t7UrwE7B926nxdVLPH/o8jsm+bTvCq"
    "sTDHyiYzLRoZkaVuPUWGsZ1G3o+Tp9H6vgnpd9BeTfpoWuDPyWAB3rZCnSLnoij5VwzkpK"
    "lEVDmdmng8eUMcUSHqDxOIGuqc9dIQ1SlHf+0rgxzqdATIctM9Imq2dks9+6lhGqec6cjy"
    "/VXrLnHZc8WSYd5Z2UxKva9j+U+B5KXHXGIrATNBggw7eekD5wyVj5R9IA70gDpFGanx+2"
    "cDDm+m3TSkFsoAVGayIv9HS9e9vqqO0mCI/3WO1oV73ubfu8CWY/7/Flt3t53WqC8HiPb9"
    "p9radeN0H04x5f3V1etjuXX9Vzmi11QmV73f9RSfr/Hp93r1o9miE83uOLVuu232r92QTx"
    "r3v8jVXnG6tLV6O5aNXYocpE9fBkFf4i31+m6IuT/Cw1bLBlOaKslNCvA/S41QDNsYXBxC"
    "U+AhazJFxrPEamMNZCpuMsB0MkJDQKyQsTax5AbAKbTJB7YEA6522CyQj6NIU8Bo4HxtA3"
    "RsKgY2En8Omw94gwVT+dpTuWQeaROrOGxeNUUREvD13viNtd/wI4yAW89oDXvkZPwCE6OG"
    "wAenVFiMLB7fdG4+jotFE/Ovny+fj09POX+myUm7+0bLg7a1+yES8DYDwEJqiRwF8btuIy"
    "tgK3sPrbBpwBjRG1j16h1b1UUiUQBTO33hEjfeJaPnoFiIoLkghVRchF0COY1ms9fJYWI9"
    "Gpik7OOJ6DZDmFNC+9PTSxwjn7J+R69BwwYgJF3D1gD8Om6xjQnCuBt+1cU8YGCJkg/aHA"
    "CHjZSM+WILRF0Or81e51OzetjtYEqRNqsF/ctDvUWGcHamCrmnrdvaQWdvhDDLNZLu4Uq3"
    "53F3cCx6yIelZSoi4K6gv6ZV57sZYA1MC0fKV4HSC8Xlu2GBDx/zqcZd2kh99PJXnA4vUB"
    "y1SYHHp2KFhsMjBTSPSY0f3idsLXFJ5prfnJr1LrB0upmd1aQniTiWzxQoMxgnhYbWjMSM"
    "pOUpROcpWhkfYkVjhnrzJvTaSFnrPe3fZbPTpdDY9ssee6pbXYUg873uN2p6211ev2d5qW"
    "/KbpN7ddJhcexZjByvVAuR64h+uBFT3H5ZrfVms6Cm1Z6B5bOC3MCu0Q07mmj8m8Wst2F3"
    "m5HXyNNxJqQmhBT9AOFrnZ/9HvdgqWMDNS+Wm1Zfjg/8C2vC18n5domKkjM3WOFfvxRv2W"
    "1/n5dfcsPydmBZzl9I/RpIL+s1JS/+X0LxYT00MsJoprqYiMmWWprcLHuOncL1EyShcj4J"
    "IJi/7xEDBIgH3kgiFhCygOmFj+CKAn5E5BVDwITeom4IusHpUYO9BlHlCf8tPN1y5bhoGK"
    "5f+ZftHKLP4mUiI7vAjIkQnScd2xhdVrstCNfHZtaVfFZmt8eVa3yXDz0eEZ7pgYRuC6M0"
    "5wTcaYjeWpwlPhb+n7vOId0iTJhm7BAXvN8iWtLiSt7iKqCs8vGeGZlRI33FwksmBnA2lF"
    "UrKknyX9XEQ/l6ZDhX8JWAQKrynfMABEMSkGtG1mYsEnZjVVAWAjTZO7eXqhz3S5ET8vKb"
    "LFoFDlU1OWGq2Re7xXCy1ZExBMzVkLG3Zgrhwh9C4+pJG+Qyf/SlAlosJjxfgFG7GUGV4z"
    "1+RtQisdklAJs3wBb4dcfQdm2IvxCOMPqsORyEs01kJj1qQrYZGRlkhUQ2Jfgx0Fh2V/ox"
    "kFB0bwaEXZo4kdqyjxETdSUWKjcCWGPVKF9jIvLPJAoyQ7a0bMgGeZaMYLOND1t4MY4HqP"
    "BvuKqOWktwS2FEnAoBMeo8yIXxGphWXI7m5dVKJhfh1QckVITNbAJBncKyIyX4DEYw08fO"
    "JDuyoWWWGRxxbBoYjdCD0SuEaBD/Yqi6n5UoReTWt9U8/ZpgHscI/7V92epnfUm1YTJL/Z"
    "0udX9e5a03vdv9nq5+zkHhdvPXB2177W2h291dfaNyoL7cqnCLJMynZHo2N+xWidhdLScW"
    "FFx4WwrZRyUs0KyVCSBexm1tGvTNhwTnQH44a3JE441skL22YbxDUr7pudEd1BoHcsQFwk"
    "F+gecor3087lqC1zhw5doV1UfkcNHmIRbnRlk+EHFjLh+R54QAPiIr4fKhywmAuIAS8Umc"
    "BFB9F9PgHVcRA2D9hnLxZHb7xe0SW9tGfe4dEAJzf22F7bYpkHMt+rrVrPnRGVPbfoPXfW"
    "Hzrbuldvf3lJaehXNvRlBLuMYJcR7OtHUIum870LYd9HAISyg4htB84FtOzpncen9gXWUC"
    "5fbQWbiIvoJpNh3zFzV7KKSsWK/lAeAuMR+fQmfAMcHngVb4aT32cwTMxQ22t9g0iaGm9n"
    "avCwxQV91HL/n0RKTjXX9cTe8fif7QBh50N7BIdhn7zftgGKvfFp2wYwpAuICFBkJ8Sro5"
    "CVExkAOk+cesCzsIHA4e+n9YP6If0DH++089/yCyEiIZM2TlYlljIGjcCkEve5ZZUFllkD"
    "xAUfPoABPWCCxfkEu9xkQm4ysTebTIjoJCXdEnfeLVFgblNjU0xlRYIzzFyrwHKGU9k35D"
    "oliSnQdE+SmAKBIUlMEUGQJKYAZI0kMYWBQpKYAoEhSUwRoJAkpqjISBLznbkUagxYY/7x"
    "2LX6q6XFCN1wGEhs6w1ABiBX9/Dr4SZ4mFZlRPbycwAh9XFFApf7qy/jR6JMtZV5kVEisB"
    "k2hN2Av7PS3Wu7RnvJlAgEhmRKRARBMiUCWISSKREGCsmUCASGZEpEgCI3Cy5NlcymzwJD"
    "oLBKzpMlWr3erNe/i2bZSY8j6XHUlB5H0uNIehztk8eRiujLMlIW0GfRldrSj2omeTb5Mc"
    "1ShNe+sF0b+8buE3IXf2K3uKNPiYjc1YjU1bNGVULDUfYd1O5Gdmigd/QRXsBBFe8OkBKR"
    "WwNs09YAv/4D4gol7w=="
)
