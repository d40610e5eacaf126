from tortoise import BaseDBAsyncClient

# The new sums of existing rollup rows are filled from the logs in the same migration.

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "usage_rollup_daily_user" ADD "tokens_reasoning" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_daily_user" ADD "tokens_cache_write" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_daily_user" ADD "tokens_cached_input" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_daily_user_total" ADD "tokens_reasoning" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_daily_user_total" ADD "tokens_cache_write" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_daily_user_total" ADD "tokens_cached_input" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_hourly" ADD "tokens_reasoning" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_hourly" ADD "tokens_cache_write" BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE "usage_rollup_hourly" ADD "tokens_cached_input" BIGINT NOT NULL DEFAULT 0;
        UPDATE "usage_rollup_hourly" AS r SET "tokens_cached_input" = s.tokens_cached_input, "tokens_cache_write" = s.tokens_cache_write, "tokens_reasoning" = s.tokens_reasoning
            FROM (SELECT CAST(strftime('%s', occurred_at) AS INTEGER) / 3600 AS bucket_hour, provider AS provider, model AS model, pricing_source AS pricing_source, SUM(tokens_cached_input) AS tokens_cached_input, SUM(tokens_cache_write) AS tokens_cache_write, SUM(tokens_reasoning) AS tokens_reasoning
                FROM api_usage_logs GROUP BY 1, 2, 3, 4) AS s
            WHERE r."bucket_hour" = s.bucket_hour AND r."provider" = s.provider AND r."model" = s.model AND r."pricing_source" = s.pricing_source;
        UPDATE "usage_rollup_daily_user" AS r SET "tokens_cached_input" = s.tokens_cached_input, "tokens_cache_write" = s.tokens_cache_write, "tokens_reasoning" = s.tokens_reasoning
            FROM (SELECT CAST(strftime('%s', occurred_at) AS INTEGER) / 86400 AS bucket_day, COALESCE(user_id, '') AS user_key, provider AS provider, model AS model, pricing_source AS pricing_source, SUM(tokens_cached_input) AS tokens_cached_input, SUM(tokens_cache_write) AS tokens_cache_write, SUM(tokens_reasoning) AS tokens_reasoning
                FROM api_usage_logs GROUP BY 1, 2, 3, 4, 5) AS s
            WHERE r."bucket_day" = s.bucket_day AND r."user_key" = s.user_key AND r."provider" = s.provider AND r."model" = s.model AND r."pricing_source" = s.pricing_source;
        UPDATE "usage_rollup_daily_user_total" AS r SET "tokens_cached_input" = s.tokens_cached_input, "tokens_cache_write" = s.tokens_cache_write, "tokens_reasoning" = s.tokens_reasoning
            FROM (SELECT CAST(strftime('%s', occurred_at) AS INTEGER) / 86400 AS bucket_day, COALESCE(user_id, '') AS user_key, SUM(tokens_cached_input) AS tokens_cached_input, SUM(tokens_cache_write) AS tokens_cache_write, SUM(tokens_reasoning) AS tokens_reasoning
                FROM api_usage_logs GROUP BY 1, 2) AS s
            WHERE r."bucket_day" = s.bucket_day AND r."user_key" = s.user_key;"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        ALTER TABLE "usage_rollup_daily_user" DROP COLUMN "tokens_reasoning";
        ALTER TABLE "usage_rollup_daily_user" DROP COLUMN "tokens_cache_write";
        ALTER TABLE "usage_rollup_daily_user" DROP COLUMN "tokens_cached_input";
        ALTER TABLE "usage_rollup_daily_user_total" DROP COLUMN "tokens_reasoning";
        ALTER TABLE "usage_rollup_daily_user_total" DROP COLUMN "tokens_cache_write";
        ALTER TABLE "usage_rollup_daily_user_total" DROP COLUMN "tokens_cached_input";
        ALTER TABLE "usage_rollup_hourly" DROP COLUMN "tokens_reasoning";
        ALTER TABLE "usage_rollup_hourly" DROP COLUMN "tokens_cache_write";
        ALTER TABLE "usage_rollup_hourly" DROP COLUMN "tokens_cached_input";"""


MODELS_STATE = (
    "eJztXetz2rgW/1c0fGk7Qzp5p0s/0YQm3CWQC2Tb7bLjcWwRPDES60dIurf/+9WRbfzAJr"
    "aBRIBmMjHYOrI4P1k6b/9bGVMdm/bHuoktp/GIiVOpoX8rRB1j9iHlahVV1MkkvAYnHPXO"
    "5M3vXP0eO4oKzRUM7fl19c52LFWDroeqaWN2Sse2ZhkTx6AECOvIGVnYHlFTR5pFbRvryC"
    "BIRV6PaGoQnU5rSHXQmNoOogSjCbb8y1X/ejXs5SPcV6cau7FB7td3C5cY/7hYcShrM8IW"
    "u9FffwVsMHRo4dEptqNanHsz+srff7Ov7Cp+wjYQwtfJgzI0MLsYRcHriJ9XnOcJP/fFuG"
    "8S5ytvCz/1TtGo6Y5J2H7y7IwomREYHnj3mGBLdTDcwbFcwIK4pukjGMDj/aywiTfKCI2O"
    "h6prAqJA7Q0gPFdRlHanr/QafUWpzKEdUETQ8U9plMBMMWDeAAPuYQh7vx0eHh2dHe4fnX"
    "46OT47O/m0/4m15eOdv3T2yxtMyC2vK86z5mWz3YcBUTYdvSkLJ35xGtVRPSoORsh9Po+V"
    "NAzOR6qVjkCUJoED+4FJHAKuvzYQlYl7ZxoaMvQqwo+O8vHj3GOTAcxYfVJMTO6dEft6vL"
    "+A53/Uu+dX9e774/0Pcca3/SuH/BJAELI89gDFeZ456WM0L8/9PDwPToRMD5ev15v+hwfH"
    "Z8efjk6PZ7N+dmbRZA8mdsjV5EqUf0FJUm4Te19ldQlBCJf/OQR6Y9U0MzGIEW4TAEeHZ6"
    "czlsOXRUzuXddbrXmuahaG362oKRP7gl1xjDFOZ2ucMsFX3Sf9GHzYQC4vYGa/ed3o9evX"
    "N9D92Lb/MTm/6v0GXDnkZ58TZ9+fJtbxWSfoW7N/heAr+tFpNzg7mSB1b/E7hu36PyowJt"
    "V1qELYqqLqUZ4Ep4NTMZgn6rNJ1ZRHp4+fMh6bCMlqNuL1wMkeb4ym+G5E6QO6o/pzFQ0t"
    "+hMTkEf5HIV2SwPe+N6PYR1swu+v698/xPBuddqXQfPIpn3e6nxhzx6IqsOHiLgEJ+5U7W"
    "GqWroyd4Ue0qy285fGh+PkGZWo95zV8Ivh9wV6ycT4HT9X0jQW78pCbUWdGMoDfs6nomQ/"
    "bykqwDKC/a5I9UuKNdnyOj8WkNWD9iIvD/mZG5PMD/bziOasVaZszq/F99qJhYfGUxEOhx"
    "QC60KwAD8atsHuibigi+gQwUkbs/XXKaMYHR3m4P7RYSbz4VKc995YFHukHp6cFoFgjlDk"
    "2V4Z4SfUu6rvsbEGKEyZ6LsMFqfHObA4Pc7EAi4lsNAo9FEEhBmF0NzX6His7tl4ovLBIG"
    "8v7cHgEfx4Wwz+uza2CpplIiSlEPDXmXUDMB0xuc8GoyPMfCaisC/YRpSYz+yMYSP4He/g"
    "wMSiMmAcnpzkQIO1yoSDX5M6WN5dmf1AvcPg8+fQhuhk/nRfqJKZqu0obD6WwT1JuwLkX+"
    "cJ3Unl28KP9KEUznFKibJoKAuizX/hFvxKijbvX6m+7HvM7W+0J5joyDTGBrj6kIq4cIbe"
    "q6bp7atVdg72WUQtpBJUv2nCTvyhyp2Cmsr2Ul21fK9gmrdx9TeQhgZpaBBmzXsFQ8PWCv"
    "glmbwWqd03ghbztcaJSjmjROP0in2tE4s+Gjq20idvg7hjztkmG4RKNJxiMgvpBZ7Jlc5N"
    "o11v1pB3HJB6u3/V7dw0z2to9nFALjudy1ajhrzjgFw3e/1uvVVD/ocBubq9vGy2L7/Wz1"
    "mzyBdG2+38l1Gy/wNy3rlqdFkD7zggF43GTa/R+L2Ggk8D8h2G8x3G0umzVmxocCijJR+c"
    "5lnTksJaZEk7TT5sXGwpsp7NCESeA6qNLKxRS8cQR/LEBC80Vh1tJIxlggthysTQ6DzvF4"
    "U9xOlE9rlXbnsXvqwJ0mMQq2YQdID3Dg4Ru5wTjTcJimBjNmjGRp9jrZxRiyxZMfXuT7ZO"
    "1f8ckG98yfrGl6vrDlsm2UIIhwFpNb9yFbCGgk9iLFyglys/KSkk78aIRIampDy2epM2m9"
    "4jaim6+jzP58XRQXFKoZcqf8azoaKDvaODz8h7HJq9Dppi/OCdPyu0XK0ihMjn4Ii6KUJb"
    "LuYHpEJz36SaaiIYKtrfOzyC8JLpyNBG/p5ho1mQ36tyHwSdsut/QCvyElNhT/wFk2zZ/w"
    "Hpdb72awj+l1ndP+VYdT5lLjqf5pb2IK6wkCszTiU055PuTCYuaJg46n05R6b0nUnfWaxd"
    "ed+ZO9FLoh6nlKiLgnqKi4WPXigPS93VjQVuFu9yNU+e16zliw6XDsGI9YeJvsfDGCw6jW"
    "RXIW2kkns870bJT/ayc+TfSsileLYI+w9t8dOEoWyzEc846TPIn6PBA1bhjdkv5l9+ybwt"
    "IfO2vMlRak+NUcrVVZTVNc+eylYhP1K+jCoRUgst0p53G4zVNeQdB+T25oJ/945gF2814L"
    "t3FMOEJHP6KmvwM0n33VrZWtTFn6QTeRURydVPWUePqummxVP/p9dpp3M7TpXcpw3NQf9D"
    "pmFv4HxewGFgR2wvnsvhSqZrJTZZ6OBLgv8ET0vwP04l+V+M/0LphFc0obvMX63m0AhnFs"
    "E8IXiMH9h65JmN72ykjqlLHDRigwa/JZTfiFXm+Iw0aOCHwbNPhokMBzGlzWAdpUXgrbz/"
    "ZXTMZAq93y/oGMvonvAQR24Z+cmK1Gq3UatNIFxANpmn3ELpRNYi2QwBW9YiESDsxtsSSw"
    "RGJQglBKUhiIgBhRCI04kMAKQeU6LbyDaIhnlG4y0xnhCeUG2E3t/2zz/kNFC9GkBCSebd"
    "cNuuZAro0UZ55PSILJBXXCdIddkss4yfWIf0FJPJ1LyYHiUcVAht8CVqm51QHXDcmM9VX5"
    "QOIkQh28XCJlZtnFakb113WXHuTLaUJXrNtzeWq7IFW7ahO25GDMrLhvuQWmShtnLVaEEU"
    "EPs/IN3Gead70WDfg09wrtWo97xz3qcBaXy/aXbhlP9BDHO+lB3eXHaQ+VEyP+qVZ/j25E"
    "e91oovE6QETpASbh+RkaZiOn1EioJJiTGcD4NZZFdYDPNCy4KEWSyYNZOWK70TI5QVWUTD"
    "WCgL1Dduce9BFG4l0wIVbVTNYYEKzPgzghctUN/A2hO6bd/ZvuMWjVSbV1txatxEBDHC3D"
    "IEtqI9LylWG2HtwUYm1R7mjU6r7Ljg+yDkKyAE0qyzbVPSB1hZgw64Gz7ADfR/pIDkr9KF"
    "IfLpBDaBMIFXM13beMSfOTUaUqto9v2bIMN3phIG2DidyI+OkLtERMeymXDMVeLiIMzTig"
    "wEL4498Wtih/MHXlEwRsFPyZtNu2tu3BvL0DyGzInOwaWFAjMYkwNzJ/sQUqz0lQV/xUyq"
    "fBhgwoYveDjEmsMWSAXwXk5m3RWBdW1FB6XhXBrOswznhdNV4lRCTwfV5qKzqo8NgqYWdT"
    "AyoEC6ZYzHWC8DwlrM67GFsxgMPpHQKIQTJuA8UqHKLZ1ia0+DaJsamoKJxKT0wZ3YghWC"
    "M8jEddi294AJY79dRnrO7EJo+Q3Kw0HePB894qPfnOpw1HWWhi27j43AzRv+pgGnqdqIaT"
    "greOpe6klg+4LgSiznrDK1DAevAKLsjiRCZRGysGpTwsa1HD4Lu5HolDYCxZXjOUhecLbP"
    "UW+Ow73CX0X0iC3ILURgmMD+K4k8u5ADbzFaxUsrN8FhG9MBPEuQcpehBOSoaBjrQWiNoN"
    "H+o9nttK8b7X4NRb4whf3iutlmyjocmIJd79dbnUumYXsfxFCbZTRUNuu3t0aQrLu3bain"
    "rMsi1d3z7fyZhfdi16uLnAG+/b9A6b1CXoBF5Qwy/QOy0MDmCrKyfN7uLJKyfF5gVbvpNb"
    "p9KJcHx2S5vAFptpv9Zr3V/MHOhZ/Z+eubDtB5RzEkWOkPlP7AHfQHipRSs90+P5E4LZMx"
    "1xKIK6tdymqXgmbryGqXW8J/sSwxXfxo2BkVdZJNqnnsMVa0da63IUA20XREbezVncQWuq"
    "fgQJmgqeGMEH7E1jPyu/dfdFBD3MlqM4rxRLUgAir9lQkr7Fu+dFqs+M/oRCvi/A2pRA54"
    "EdBGJsjCdQuO1RZNDSOfXVu4VIG0xt2ziknv81X9WpntmGqaa1kzm+CSFuNE0dtIUZvofV"
    "Z4h6iRZE23mBWyWFX/0qwupFndwowVdnou6aLavVGqrasutxZjgSyP9QpMluZnaX7emTpO"
    "PA2SjxTxFAg/JwXKlIKKpT6C1lQGgLU8mjzM0/Zipovt+ElKkTWGCmM+U2WZ0uqHx9tVT5"
    "OFkrFMnTWIZrp67gyhN4kh9fntBfmXgiokFR4rsC+YGM7M8JqFJm8SWtGUhFKYJTt4PeT2"
    "t0DCTsfDyz8oD0dIL9FYCo3ZI10Kixi1RKIcErua7Cg4LLubzSg4MIJnK8oVTexcRYmPuJ"
    "mKEpsKZ6K3IpV4XuaJRd5ouJ1mOqImDiwDtqHjmV0ACllthmGA893f7EuilqDeENgiRgKA"
    "TniMYjt+SaRS+5DL3bKo+Nv8MqAkupCYLIFJuLmXRGS+A4nHEng41FHNsljEiUXeWwSHIg"
    "gjtKlraRkx2HmcqclehPamNb7Xz6FoABwGpHfV6faVdv26UUPhZ3B9fq3ftvpKt/MNvJ+z"
    "LwOSXXrgy22z1W+2lUav37yuQ2pX8owgblKojsb2/JLZOqnUMnAhZ+CC96wUClKNE8lUkh"
    "TrZjzQr0jacIJ0C/OGNyRPOODJ4kRhmYq1jucneIFtiecnQbqFz8+W5d2LFFnexZPsMuWJ"
    "FtVFUeZehLmFixcq4ZkrXv0wk96/g0wU27HRHR5SC/Mys+oQUllUeEc06xTryMJ7/n0+ov"
    "oEXiW0R9n0SE+KWV3XBYPfZ0H3/ron66Vsrsq2KLCbl8Art3LHSOXKLfrKHQ8zjz/d+Z+/"
    "JKW0n5S2n0hpVBYGkIUBlk9MF43nO1cZYBcBEEoPoqbpTi5Uw3y+tblon6ENJdpVc+hEnE"
    "TRgUZxA6IVv8TpztUesMNuwusK8Xy2oMZQsnyjdzLmMZCvIxVIunkxhzRljVocVhVSSVFz"
    "2QD3LU+r2gwQtj5jajNgkKlQAuIhU6EEQUOmQr05ErsU/LwJUOxMSPMmgCEjAEWAIq6450"
    "chTicyAEyffbaRbRANo4Pfzvb39g/YH3p/2z//kHTYioRM1IiS1wAeM7wIbPzmKRcwWGTo"
    "VUQt9O4dGrIDoSRv0oWsMSRrDL1N8OxW1hgSMUZWRqVvfVS6wD6YPoiYlZyOGK9xtYQ3xh"
    "NlX9EnI50tAol70tkiEBjS2SIiCNLZIgQM0tkiIB7S2SIIGtLZ8uZISGeLWFBIZ4tAYEhn"
    "iwhQSGeLqMhIZ8sb23yx7RhjYJWy1Hq1sBuhHxwACSrEITpEibEjL00P3T2Xtdzu5FurPB"
    "PtFXUtnv+3yI7rN6rmtt+OQoL1WG3hBnzOyvD5zdrtpUVXIDCkRVdEEKRFVwgYpEVXQDyk"
    "RVcQNKRF982RkBZdsaCQFl2BwJAWXRGgSGjrhU26MzVfYAgqMMh5o25/f7+2v/9DNAuUjO"
    "CWEdw1GcEtI7hlBPcuRXB/w3cjSh8usGk8YivV3p9sUl1k7Z96jRn6vLXh1VjKV0wUP2IC"
    "bwWGNwEjTPQJZQDA62YZOlhHU8MZIfjVdDhELnEME/l3gZcHW6xnw8R6ejHR1XVdsJgoe0"
    "Qdl/OA4CdHUR0HjydwXKqmKKwZkZvwX6fIOqWbKxlnez9m2BbCIEolsowsJBgR5vsrRbFC"
    "lQmqbeL/ykpVhutiGQknpBZasmFaxQXTBGrI/wBSTKv5BxP+L0CG8T8OyNd6swWnvKMYwr"
    "6/U6VAlDnvoyRy0qdM+qQIUGhJTyEWmckVGzNu6oH9A8J0bonxhPCEaiPxA9tM1XYUb5lh"
    "GOgpulgmUGmkslpxBouxZdEMO9MC7s6otu/tSSe5ChWfLChUfDJfqFizMA/uK17rPk65ha"
    "XuFzBbpNL2AU8W1raf6awlgE7SrgBqwZ6zTUdaLItRw1dyKtkWo1mTah6LUaA15TMYFYoO"
    "XSbOc1fMHEtu69kGDNcq5DPwm4us15X1GOzn2tqhWbbPYH9+c48OrgCjE2TbyPB1uGiYWm"
    "PhlN01m9Ehhcg8rtjGPbFRaLf/jOwRnRJEAwOMCG/ckIJsNve3651Ngkg7dfYsaKM0Ice/"
    "slC2UcM2UqDZFoGGLY92wb02QiLyHiDSPgsPVQEO+823kLvr2UcpcTBJ2USz35oUIZGvTN"
    "qkVyb9+j8g/DEd"
)
