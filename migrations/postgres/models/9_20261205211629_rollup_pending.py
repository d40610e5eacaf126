"""Rollups folded after the insert (PostgreSQL): a table of the logs not folded yet, and
NUMERIC sums, so that a fold, which runs after the logs were acknowledged, never fails.

Each table's sum columns change type in one ALTER TABLE (one rewrite per table). The
downgrade first folds what is still pending, or those logs' shares would be lost.
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

_SUMS = (
    "tokens_input",
    "tokens_output",
    "tokens_cached_input",
    "tokens_cache_write",
    "tokens_reasoning",
    "cost_input_pico",
    "cost_output_pico",
    "cost_total_pico",
)
_BUCKET = "CAST(FLOOR(EXTRACT(EPOCH FROM occurred_at)) AS BIGINT) / {seconds}"
_ESTIMATED = "CASE WHEN pricing_source = 'BUILTIN_ESTIMATE' THEN cost_total_pico ELSE 0 END"
# (table, bucket column, bucket seconds, dimensions: column -> expression over the logs)
_TABLES = (
    (
        "usage_rollup_hourly",
        "bucket_hour",
        3600,
        {
            "provider": "provider",
            "model": "model",
            "pricing_source": "pricing_source",
            "service_tier": "service_tier",
        },
    ),
    (
        "usage_rollup_daily_user",
        "bucket_day",
        86400,
        {
            "user_key": "COALESCE(user_id, '')",
            "provider": "provider",
            "model": "model",
            "pricing_source": "pricing_source",
            "service_tier": "service_tier",
        },
    ),
    ("usage_rollup_daily_user_total", "bucket_day", 86400, {"user_key": "COALESCE(user_id, '')"}),
)


def _sums_of(table: str) -> tuple[str, ...]:
    return (*_SUMS, "estimated_cost_total_pico") if table.endswith("_total") else _SUMS


def _retype(table: str, sql_type: str) -> str:
    changes = ", ".join(
        f'ALTER COLUMN "{column}" TYPE {sql_type} USING "{column}"::{sql_type}'
        for column in _sums_of(table)
    )
    return f'ALTER TABLE "{table}" {changes};'


def _fold_pending(table: str, bucket: str, seconds: int, dimensions: dict[str, str]) -> str:
    """Add the logs still listed in usage_rollup_pending to `table`, in key order."""
    sums = _sums_of(table)
    keys = (bucket, *dimensions)
    expressions = [
        _BUCKET.format(seconds=seconds),
        *dimensions.values(),
        "COUNT(*)",
        *(_ESTIMATED if column.startswith("estimated") else column for column in sums),
    ]
    selected = ", ".join(
        expression if index <= len(dimensions) or index == len(keys) else f"SUM({expression})"
        for index, expression in enumerate(expressions)
    )
    positions = ", ".join(str(position) for position in range(1, len(keys) + 1))
    added = ", ".join(
        f"{column} = {table}.{column} + excluded.{column}" for column in ("requests", *sums)
    )
    return (
        f"INSERT INTO {table} ({', '.join((*keys, 'requests', *sums))}) "  # noqa: S608
        f"SELECT {selected} FROM api_usage_logs "
        "WHERE id IN (SELECT log_id FROM usage_rollup_pending) "
        f"GROUP BY {positions} ORDER BY {positions} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added};"
    )


async def upgrade(db: BaseDBAsyncClient) -> str:
    retyped = "\n".join(_retype(table, "NUMERIC(38,0)") for table, *_ in _TABLES)
    return f"""
        CREATE TABLE IF NOT EXISTS "usage_rollup_pending" (
    "log_id" BIGINT NOT NULL PRIMARY KEY
);
COMMENT ON TABLE "usage_rollup_pending" IS 'A log whose share is not in the rollup tables yet (PostgreSQL; see rollup_folding).';
{retyped}"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    folded = "\n".join(_fold_pending(*table) for table in _TABLES)
    retyped = "\n".join(_retype(table, "BIGINT") for table, *_ in _TABLES)
    return f"""
{folded}
DROP TABLE IF EXISTS "usage_rollup_pending";
{retyped}"""


MODELS_STATE = (
    "eJztXVtz4jgW/isqXjpdRXrTSd+WfqITepqdJGSBTPfOsOV1bCW4YiTWMiHMbP/31ZFsfM"
    "EmtoFEgKpSAWwd2T6fLJ27/qqNqI1d9qbpYs9vPWDi1xrorxoxR5h/yThbRzVzPI7OwQHf"
    "vHFF85uJfYd9w4TmBob24rx5w3zPtKDrW9NlmB+yMbM8Z+w7lABhE/lDD7MhdW1keZQxbC"
    "OHIBPJHtHUITadNpDpoxFlPqIEozH2gtP14Hw96uUNXNemFr+wQ+42d4kJcf47wYZPeZsh"
    "9viF/vgjZINjQwtJZzDf9AT35vS1f/+b/+Rn8SNmQAg/x/fGrYP5yTgKsiNx3PBnY3Hsi3"
    "PXJv5X0RYe9cawqDsZkaj9eOYPKZkTOBK8O0ywZ/oYruB7E8CCTFw3QDCERz5W1ETeZYzG"
    "xrfmxAVEgVreQHSsZhiXnb7Ra/UNo7aAdkgRQyc4ZFECI8WBcQMMuINbOPz78fHJycfjo5"
    "MPn96/+/jx/aejT7ytuN/FUx9/ypuJuCW7Ejxr/9K+7MMNUT4c5ZCFAz8FjembkkqAEXFf"
    "jGMjC4PToellIxCnSeHAHzCNQ8j15waiNp7cuI6FHLuO8INvvHmz8NrkADMyHw0Xkzt/yH"
    "++O1rC89+a3dNvze7Bu6PXScZfBmeOxSmAIGJ54gVK8jx30Cdonh77RXgeHoiYHk1fzzf8"
    "j9+++/ju08mHd/NRPz+ybLCHAzvianomKj6hpCl3ib3PMrtEIETT/wICvZHpurkYJAh3CY"
    "CT448f5iyHH8uY3Ltonp8vctXyMDy3YWYM7DN+xndGOJutScoUX+2A9E34ZQu5vISZ/fZF"
    "q9dvXlxB9yPG/usKfjX7LThzLI7OUkcPPqTm8Xkn6Hu7/w3BT/R757Il2MkFqTtPXDFq1/"
    "+9BvdkTnxqED6rmHacJ+Hh8FAC5rE5c6mZ8er08WPOaxMjWc9CvBk4+euN0RTfDCm9RzfU"
    "ntXRrUf/xATkUTFGod3KgLd+9BNYh4vwwUXzx+sE3uedy1/C5rFF+/S884W/eyCq3t7HxC"
    "U4cGNa91PTs42FM/SY5rVdPDU6HqWPmMS8E6yGJ4bnC/WSsfMrntWyNBZ5Zqm2Yo4d4x7P"
    "iqko+e9bhgqwimC/L1L9imJNvrwuPkvI6mF7laeH4sxNSOZvj4qI5rxVrmwuziXX2rGHb5"
    "3HMhyOKBTWhWACfnCYw6+JhKCL6C2Cgwzz+devohidHBfg/slxLvPhVJL38l4MNjSP338o"
    "A8ECocqjvTbEj6j3rXnI7zVEYcpF31Ww+PCuABYf3uViAadSWFgU+igDwpxCae5bdDQyDx"
    "kem+JmkFxLe3DzCB6eqcH/CcNeSbNMjKQSAsE8s2kApkMu9zEwOsLI5yIK/4EZosSd8SMO"
    "Q/Acr+CDi0VVwDh+/74AGrxVLhzinNbBiq7K/AHtDocvGENbopMFw32pSuaazDf4eKyCe5"
    "p2Dcg/zxu6l8q3hx/ofSWck5QaZdVQVkSb/yIs+LUMbT44U3/a91jY38jGmNjIdUYOuPqQ"
    "iYRwhg5M15Xrap0fg3UWUQ+ZBDWv2rASv64Lp6Bl8rXUNr3AK5jlbVz/BbShQRsalJnzns"
    "HQsLMCfkUmb0RqD4yg5XytSaJKzijVOL1mX+vYow+Ojb1yZrKIZvdG7/oNAEIIKMPgOYHC"
    "3K2ZDHnYop6NISrjkYsxaGT61lAZPV+INMbYsegi75cFESTpVPZg1657Z4HkBrJYGPnlEP"
    "QWH749Rvx0QTReJMSA37NDc5bNFpmMBDxtfqMmsfDiLDSnVllO4crSvxqI/xuQ763Wrw0E"
    "/wfkonPZ/9ZA4mNAzttfhULVQOG3Ki/R2w9FRJu0zhaTbD6k3yDQco0/KSklPSaIVIZGmf"
    "WBD+8h9QzbnC3yeXmsTZJS6akqGPH8VtHbw5O3n5F8Hdq9DppifC+Pfyw1Xa0jICfg4JBO"
    "MkSgQswPSZXmvku5oo7gVtHR4fEJBGtMh441DNYMhuYhc8/KfRB0qs7/Ia3KU0yNv/FnDQ"
    "T/B6TX+dpvIPhfZXb/VGDW+ZQ76XxamNrDKL1SjsEkldKcTzsHubhgYeKbd9XcgtoTpT1R"
    "iXbVPVGTsV0R9SSlRl0V1DMcFuLulfJXNCe2s8RpIU/Xi2RNzVs+6b7oEIx4f5jYhyIowK"
    "PTWK4SsoYmucOLToniZE+7Gv6qRVxK5l7w/9AWP445yozf8ZyTAYOCMRq+YDXRmD+x+PFT"
    "Z0EpmQUlB0elNTVBqWdXVWbXImsqn4WCuPMqqkRErbRIe9ptcVY3kPwckOurM/Fbfg7IWe"
    "u8Bb/lpxomJJ0hV9uA10Y7wzbK1rIO8zSdyrOISo5zyjt6MN1JVnTyP3qdy2xuJ6nS67Rj"
    "+eh/yHXYFo7nJRwGdiTW4oWMqHTyU2qRhQ6+pPhP8LQC/5NUmv/l+K+UTviNpnSXxbP1Ah"
    "rh3CJYJKCN8wN7DyJP8BVD5ohOiI+G/KbBbwnFLBJ1Lj4jCxoEQeX8m+Mix0dcaXN4R1nx"
    "bGvvfxUdM52QHvQLOsYquie8xLFLxh7Z0FrtLmq1KYRLyCaLlDsonejKHtshYOvKHgqE3c"
    "glsUJgVIpQQ1AZgpgYUAqBJJ3KAEAiLyU2Q8whFhb5gdfEeUR4TK0hOrjun74uaKB6NoCU"
    "ksy70bJdyxXQ442KyOkxWaCouE6QOeGjzHP+xDYke7hcphal6SgRoEJoQyBRM37A9MFx48"
    "7qgSgdRohC7oiHXWwynFXyblNXWXMmSr6UpXoFtReWq/IFW76g+5OcGJSnDfcRtcpCbe1b"
    "6xyigPj/Aem2Tjvdsxb/HX6DY+etZk8ek98GpPXjqt2FQ8EXNcz5WnZ4cdlBZxvpbKNnHu"
    "HbnW2k3LSxW+lGarNXx20q40JRKaYkI2JvMahkmZa+HOalerqGWS2YLZdWKwuTINTVQlTD"
    "WCl7zndhv+5BTGst154Tb1QvYM8JjeJzgiftOd/BdhI5QV+xwA2KhiYTlUD8hjC4QMStsL"
    "OA5eVQpphaQ2zdM+RS637RhLPOjkvuVaC3J1BIT8239GiPWm0DGtV+eNS20JuQAVIwS5eG"
    "KKBT2KDABV7LnTDnAX8W1OiWemVz2V8EGbEyVTBnJulUfnWUXCViOhbjwrFQicuDsEirMh"
    "CicPM4qNccjR8onz9C4aMUzU3dN6foledYuO8IYXBBeI5OLhWawTwbGhP5F05j+JyooCe0"
    "A6IoEmQMEARZ94FT89MNMd2ZCJyrDixPvNc6MomNzBv6gPkZftnR2Oer159Z2W7r6nlABq"
    "Q/nBNzGZxOSdix6WHk+AwdgCvN5oDU0dHroEOCOQliPvWwjfjN4DeoKdyw/HYGJH5x1ONy"
    "vT9EV+GFfXqPCUMOk9fhvYoC2HV0MxPLtCDiDxXQ8UMD4preHR/w6D/iIQzZkyF7+g+6wS"
    "7XEa74jcrrsr9Bz5xXhjXkL8Cb8ex1vpYQNIXzAbnAWEK8cLHVVId90Rs2VpcwjVAlD3Cq"
    "D5VN2LVev3l5JipChC/hgHxp9k+/NdANlM4akK/nrR/8Yi5+HJCrbrvTbff/1YBXi3qOP1"
    "PEB5zxIpVat3M6UHrxhngTh0+jPhUTI5PT2YjPmKmZ0B+aRBY/PzhqIJhYZ4JCaQXFIeNJ"
    "AAXHiVWRiHO7UBpWKKAGmeXi7iWE21M/jU78lWHL72MrcJO3v23AWaY15FrLGt66p3pS2G"
    "aguGIqOGtM+bKL1wBRfkcaoaoIedhklIBisBI+S7vR6FRFJ1TaSmlOSSKVV6BnVaIWjDAL"
    "bF7k8Vcumjp35Fc8W1CgUnyNWVGCnraMxT/DYRQejd5Bz5zOtfnU6OIc4M+NfalsNnunzb"
    "OWzH98GfOWfMJM41YASwnTVkix1t0i/0jE4onbgHhH+IFvb7HlO1ytA3Omtqu8qF1FR1k+"
    "V5Rl6UohSSqVGQ313cGAa9ojrlZNPeqD/bjOXxRnNMJ2FVPURmIxE9NQORgCIqVRiAZMyH"
    "lh/nfpFHuHFiQ6NdAU4mlcSu8nY6ZYDX5tWNKGpa3ETRuWtGFJG5b2EyFtWFIZnZSquQDJ"
    "E5kZC9Tbk51RE27FILojjOsQWzTKICIftmOWpQB2P7o/oQNIu4pxk6MEFNhMItGD0hpB6/"
    "K3drdzedG67DdQ7MeANM8u2pcNJD4G5LTZb553fmmg4IsawQM6dS6f9btbnllvebBrqGfM"
    "y2W3PIjvMxaEYaaEq4Ds669d7M6r3OR7L+YxoFs2BPL8Fz+fweWQuytE4nx9mfMhdKsU3x"
    "eilNch5UpIFL7M9UfoKpjbK+rrvR32ZxnRezuEdserXqvbh70c4DO9l8OAtC/b/XbzvP07"
    "PxZ958cvrjpAJz8haLjzW/us1TWaZ2cNFP8VO9dtXTZht9HUgUSLi+ZVogH/rYYGob2b2r"
    "v5UozWHsyt5rSu6rWRHHS9bYreNkUB/TmLw3rblB3hv0J5yJwVXfzgsJzSzOkm9SK2Ey/e"
    "utC2mlBIZzqkDMsNTLCH7ii4g8YyM00mngXdBztmNpBwGTNOMRrLfODsvTfX2PeaKzDvi6"
    "FlY7Gh8YFWxpUdUakcvqOgPUuZiUtqwF1hZMmYtKLTT0xYsmGxqgmrGHpLzQvbW5m9JkI5"
    "IZITMXdy10B0jInpVLG1rMsMkD972A4bu2Z5ST9NpyX9YpK+rKmRE+iyzNyVIFO45rcsih"
    "PMKYHMIe4eZJCgpojMpqcEv2JIzkiyyFRD1DOh04IBLxs3me1TEMqX6/Z5H4JNgi86+ET7"
    "j1T1H+ngk11DfQ3BJ5uUta8hJPOcZqZzzs8tlbLBMioCOw2X3m1e1E7EVFDLmnjefNSvGE"
    "mR2qk0thNJ/DprvELc1behS8z3S1hX/zrcRMlwEw9zVrDsksXLNlyNU6mreKrkmNN7Gj0D"
    "k3XghN58ZxU1XdwpEqnIQW441LUD54D5APb+KjreRgb6dteVrIW1IWslMUqCwjDxK4Kyfs"
    "Vb1kaU2aTlJJo0pcrehxpUzE1Ug6xLrxjsY4oZcojlTuzCtRNeJLsu4LdMf64EVUSqPFbg"
    "q3QxHJnjNU/a3Ca04snalTBLd/B8yB3tgAaRjYfMzK4OR0Sv0VgJjfkrXQmLBLVGQtcX3i"
    "FY9rfOi+LAKF7HRc9oaldx0fioW8NFY1MTTJQzUoX3ZZFY5YVGWM7EljjRVj02ntsFYD+o"
    "7TAMCL4Hi31F1FLUWwJbzEgA0CmPUWLFr4hUZh96ulsVlWCZXwWUVBcakxUwiRb3iogsdq"
    "DxWAEPn/qmWxWLJLHKa4viUIQpSYxOPCsnyvtp/9liL0r7N1s/mqdQTg0+BqT3rdPtG7JG"
    "QvQdijJ8bV6f941u5ztUZpj/GJD8omxBgKzR6vXbF00o6ZA+ooaLTtSN5mt+xcz/TGodmF"
    "EwMONltkpRjdNrTksPsiDWEQ2Q09UWBAXsxpaTAf9X3nlyeT9aeKvoRkhGDJeJsE+R7mCI"
    "/faG1C9mUuj6KRtZqDxsUc+u9P6kSHfw/dnSFJW8xCSVUlS6eJy/71iqRX1ZuopMVfFw+U"
    "qgotyELGHu0rtXUD6C+Qzd4FvYWVlsdH8L9SdMgkSn2EYePgyu8wY1x2NM7EPKh0d2JYv1"
    "dV0yi2aevRPMe7og6fZKOssyREKJssLMnSDVM7fqM3cyXyX5dhd//9KU2lBZWe3Q0uhGpF"
    "FdzW/PqvmpxvMlLN7Ncn77CIBSehB13cn4zHTc2TUTon2ONpRqVy+gEwkSwwYaYxISrXlX"
    "5puJdY99fhFhrRWJsWFh4PT+CPJg2jWXsGuvtHezVj2eT/UQaeYlDeBxKi16rppZkpNw1Q"
    "vcSQvc36ZkxnWsFnnMTK0Jl9cXrW779ODkU31BOnoiH/EpVm9HMqJavF6eTfgUx3cvlfD5"
    "mJ6XMliI57uUL/gsLF+SF/gUw3csKXCz7H4y3D+X21sW668Sv5dG6i9n+BaF6avE8WXRq8"
    "sZvoOhq5vld1LhLa79JOlUZjTX+2YMMYdYGL39+8ejw6O3/A8dXPdPhZVFVcUobnwoajhO"
    "GCwUNhqLnCC4WeTYdUQ99OoVuuUfhJKiWUG6yJcu8rVr7N1oSLROQtirJIQ9rdy2vUHaCr"
    "tx+iBV1wr6cmTjegWHjpTen9Gto/0zCkm+2j+jEBjaP6P9M3vAa+2f0f6ZfWC59s9o/8wu"
    "TuPaP/MiHNf+Ge2f0f4Z7Z95WcM2V+6dkdhUrvqktLQPpd8asdun6fmI3qLUvcu9Pm10M6"
    "tom17/lKaecfMbnXgin26ZUTNoVC9szBxGBJsxYcIFBLN1OPp2W9i0uVMhMLS5U5s794DX"
    "2typzZ37wHJt7tTmzl2cxrW580U4rs2dz23uDLXc0vbOuXqsMKtrcJOLFs/+0VHj6Oh3lU"
    "2eOiJaR0TriGgdEa0jonVE9F5GRF9hYi8t8ploVS/sNhjHKJ6s89mEIpywoxLDiPFRi5HD"
    "EKE+cojYtVz2icSVGJphHx1cSfGr98/zz4jhsIlxS1247OvFgp8buMaADMh3PqB8TMJe+I"
    "D08Qh2V/eHJvTNXy9fbr3OL/8ZcaZhXzqy4Bh0JVuatj1vNiA+jd0Tq8975wAhzkvCODs5"
    "796gLh5TuAAnhxZM0POOEvQFS5TmOk+qlDJcdxHDvfWiKDJlfMc3Q0rvz7DrPGAv08uYbr"
    "J0spjKxhwr0dqRldKKlQTGD+IFo4jCD2KPKQcKdmfnKPJ3a+r4QwRPTW9v0YT4jouCq/CT"
    "1OM9Oy62s0sCr6/rkiWBYeKYCB4Q/OgbJp9UYP8B01+pMjAIC7GLiKczdLXh3ZkdYrEjIb"
    "alMIhTqWxhUBKMGPODmaJcudkU1S7xf20FZ6N5sZJyM6dWWpO9al2etS9/aaDgC2it5+3f"
    "Wt3WGeiswVeu1jTb53BIfqqhgwYrVQZE+WWWYyR60GcM+rQIUGpKzyBWmck1hjk37dB6DG"
    "rLNXEeEVdsrKH6MbOuyXxDTjMcAzvD9pavImWQ6prjOSzGnkdLWemTVLu32eD7QuXG3y8p"
    "N/5+sdy45WEROlx+x4ok5Q5uWLGE2SptUBHyZOkOFXOdtQLQado1QK3Ye7btSKtlMWoFSk"
    "4t32I0b1IvYjEKtaZiBqNSMemrRJPvi5ljxWU934Ax8Ur5iIPmKut1VT3ER4WWdmiW7yM+"
    "Wlzc4zdXgtEpsl1k+CZc8lyt8XDG6prP6IhCZR7XmHNHGIrs9p8RG9IpQTQ0wKiwb44WZP"
    "O5v1s7ryki7TT5u2ANs4Sc4MxS2caM2miBZlcEGj49spJrbYxE5TVApXUWXqoSHA6a7yB3"
    "N7OOUuJjkrGI5u99FiPRG59t08ZnP/8Phuu+Dw=="
)
