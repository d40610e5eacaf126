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
    "log_id" BIGINT NOT NULL PRIMARY KEY,
    "occurred_at" TIMESTAMPTZ NOT NULL,
    "user_id" VARCHAR(255),
    "provider" VARCHAR(64) NOT NULL,
    "model" VARCHAR(255) NOT NULL,
    "pricing_source" VARCHAR(16) NOT NULL,
    "service_tier" VARCHAR(16) NOT NULL,
    "tokens_input" BIGINT NOT NULL,
    "tokens_output" BIGINT NOT NULL,
    "tokens_cached_input" BIGINT NOT NULL,
    "tokens_cache_write" BIGINT NOT NULL,
    "tokens_reasoning" BIGINT NOT NULL,
    "cost_input_pico" BIGINT NOT NULL,
    "cost_output_pico" BIGINT NOT NULL,
    "cost_total_pico" BIGINT NOT NULL
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
    "eJztXW1z2joW/isavjSdId006dvSTzSht+xNQhbIbfdedryOrQRPjOS1TAj3bv/76sg22M"
    "Y2toEgQDOZALaObJ9Hls67/qqNqIlt9qZpY9drPWHi1RrorxrRR5h/STlbRzXdcebn4ICn"
    "39mi+d3YfMCepkNzDUN7cV6/Y56rG9D1vW4zzA+ZmBmu5XgWJUDYRN7QxWxIbRMZLmUMm8"
    "giSEd+j2hiEZNOGkj30IgyD1GCkYPd4HQ9OF+f9/IGrmtSg1/YIg+bu8SYWP8dY82jvM0Q"
    "u/xCf/wRssEyoYVPpzFPdwX3ZvS1f/+b/+Rn8TNmQAg/nUft3sL8ZBQFvyNxXPOmjjj2xX"
    "poE++raAuPeqcZ1B6PyLy9M/WGlMwILB+8B0ywq3sYruC5Y8CCjG07QDCEx3+seRP/LiM0"
    "Jr7XxzYgCtT+DcyP1TTtutPXeq2+ptUW0A4pIugEhwxKYKRYMG6AAQ9wC8d/Pz09O/t4en"
    "L24dP7dx8/vv908om3Ffe7eOrjT/9m5tzyuxI8a//Svu7DDVE+HP0hCwd+Chrd030qAcac"
    "+2Ica2kYnA91Nx2BKE0CB/6ASRxCrr80EDVnfGdbBrLMOsJPnvbmzcJrkwHMSH/WbEwevC"
    "H/+e4kh+e/Nbvn35rdo3cnr+OMvw7OnIpTAMGc5bEXKM7zzEEfo1k+9ovwPDwwZ/p8+nq5"
    "4X/69t3Hd5/OPrybjfrZkbzBHg7sOVeTM1HxCSVJuU/sfZHZZQ7CfPpfQKA30m07E4MY4T"
    "4BcHb68cOM5fAjj8m9q+bl5SJXDRfDc2t6ysC+4Gc8a4TT2RqnTPDVDEjfhF92kMs5zOy3"
    "r1q9fvPqBrofMfZfW/Cr2W/BmVNxdJo4evQhMY/POkHf2/1vCH6i3zvXLcFOLkg9uOKK83"
    "b932twT/rYoxrhs4puRnkSHg4PxWB29KlN9ZRXp4+fM16bCMl6FuLNwMlfb4wm+G5I6SO6"
    "o+a0ju5d+icmII+KMQrtVga89aMfwzpchI+umj9ex/C+7Fz/EjaPLNrnl50v/N0DUfX+MS"
    "IuwYE73Xic6K6pLZyhpzSr7eKp0ekoeUQn+oNgNTwxPF+olzjWr3haS9NY/DO52oruWNoj"
    "nhZTUbLftxQVYBXB/lCk+hXFmmx5XXyWkNXD9jJPD8WZG5PM354UEc15q0zZXJyLr7WOi+"
    "+t5zIcnlNIrAvBBPxkMYtfEwlBF9F7BAcZ5vOvV0UxOjstwP2z00zmw6k47/170dhQP33/"
    "oQwEC4Qyj/baED+j3rfmMb/XEIUJF31XweLDuwJYfHiXiQWcSmBhUOijDAgzCqm5b9DRSD"
    "9m2NHFzSB/Le3BzSN4eCYH/8cMuyXNMhGSSggE88ymAZgMudzHwOgII5+LKPwHZogSe8qP"
    "WAzBc7yCDy4WVQHj9P37AmjwVplwiHNKByu6KvMHNDscvmAM7YhOFgz3XJXM1pmn8fFYBf"
    "ck7RqQf5k39CCVbxc/0cdKOMcpFcqyoSyJNv9FWPBrKdp8cKa+3PdY2N/IHExMZFsjC1x9"
    "SEdCOENHum3762qdH4N1FlEX6QQ1b9qwEr+uC6egofO11NTdwCuY5m1c/wWUoUEZGqSZ81"
    "7A0LC3An5FJm9Eag+MoOV8rXGiSs4o2Ti9Zl+r49Iny8RuOTPZnGb/Ru/6DQBCCCjD4BmB"
    "xNyt6Qy52KCuiSEq45mLMWike8ZQGj1fiDSaYxl0kfd5QQRxOpk92LXb3kUguYEsFkZ+WQ"
    "S9xcdvTxE/XRCNrYQY8Hu2aMay2SLjkYCnzW9UJwZenIVm1DLLKVxZ+lcD8X8D8r3V+rWB"
    "4P+AXHWu+98aSHwMyGX7q1CoGij8VuUlevuhiGiT1Nkiks2H5BsEWq72JyWlpMcYkczQSL"
    "M+8OE9pK5m6tNFPufH2sQppZ6qghHPbxW9PT57+xn5r0O710ETjB/94x9LTVfrCMgJODik"
    "4xQRqBDzQ1KpuW9TrqgjuFV0cnx6BsEak6FlDIM1g6FZyNyLch8Enarzf0gr8xRT42/8RQ"
    "PB/wHpdb72Gwj+V5ndPxWYdT5lTjqfFqb2MEqvlGMwTiU155POQS4uGJh4+kM1t6DyRClP"
    "VKxddU/U2DEroh6nVKjLgnqKw0LcvVT+iubYtHKcFv7pepGsqVnLpe6LDsGI94eJeSyCAl"
    "w6ieQqIWOokwe86JQoTrbc1fBXbc6leO4F/w9t8bPDUWb8jmecDBgUjNHwBauJxvyJxY+f"
    "KgtKyiwof3BUWlNjlGp2lWV2LbKm8lkoiDuvokrMqaUWac+7Lc7qBvI/B+T25kL89j8H5K"
    "J12YLf/qccJiSVIVfbgNdGOcM2ytayDvMkncyziEyOc8o7etLtcVp08j96net0bsepkuu0"
    "ZXjof8i22A6O5xwOAztia/FCRlQy+SmxyEIHXxL8J3hSgf9xKsX/cvyXSif8RhO6y+LZeg"
    "GNcGYRLBLQxvmB3SeRJ/iKIX1Ex8RDQ37T4LeEYhaxOhefkQENgqBy/s2ykeUhrrRZvKO0"
    "eLa197+KjplMSA/6BR1jFd0TXuLIJSOPrCmtdh+12gTCJWSTRco9lE5UZY/dELBVZQ8Jwm"
    "78JbFCYFSCUEFQGYKIGFAKgTidzABAIi8lJkPMIgYW+YG3xHpG2KHGEB3d9s9fFzRQvRhA"
    "Uknm3fmyXcsU0KONisjpEVmgqLhOkD7mo8y1/sQmJHvYXKYWpekoEaBCaEMgUTN+QPfAcW"
    "NP64EoHUaIQu6Ii22sM5xW8m5TV1lzJkq2lCV7BbUty1XZgi1f0L1xRgzKcsP9nFpmobb2"
    "rXUJUUD8/4B0W+ed7kWL/w6/wbHLVrPnH/O/DUjrx027C4eCL3KY85XssHXZQWUbqWyjFx"
    "7hu51tJN20sV/pRnKzV8VtSuNCkSmmJCVibzGoJE9Lz4c5V09XMMsFs2HTamVhYoSqWohs"
    "GEtlz/ku7Nc9iGmtZdpzoo3qBew5oVF8RrDUnvMdbCdzJ+grFrhB0VBnohKI1xAGF4i4FX"
    "YWsLwc+ymmxhAbjwzZ1HhcNOGss+OSexWo7Qkk0lOzLT3Ko1bbgEZ1GB61HfQmpIAUzNKl"
    "IQroJDYocIHXsMfMesKfBTW6p27ZXPatICNWpgrmzDidzK+OlKtERMdiXDgWKnF5EBZpZQ"
    "ZCFG52gnrN8/ED5fNHKHyUormph+YUvXEtA/ctIQwuCM/zk7lCM5hnQ2Mi/8JpNI8TFfSE"
    "dkAURYKMAYIg6z5xan66IaY7HYFz1YLlifdaRzoxkX5HnzA/wy87cjy+ev2Zlu22rp4HZE"
    "D6wxkxl8HphIQd6y5GlsfQEbjSTA5IHZ28DjokmJMg5lEXm4jfDH6DmsINy29nQKIXRz0u"
    "13tDdBNe2KOPmDBkMf86vFdRALuO7qZimRZE/KECOn5oQGzdfeADHv1HPITm96T5Pf0H3W"
    "Gb6wg3/Eb967K/Qc+cV5ox5C/AG2f6OltLCJrC+YBcYOxDvHCx1VSHQ9EbNlaXMIlQJQ9w"
    "og+ZTdi1Xr95fSEqQoQv4YB8afbPvzXQHZTOGpCvl60f/GI2fh6Qm2670233/9WAV4u6lj"
    "eVxAec8iKVWrczOpB68YZ4E4tPox4VEyPzp7MRnzETM6E31Ilf/PzopIFgYp0KCqkVFIs4"
    "4wAKjhOrIhFndiE1rFBADTLLxd37EO5O/TQ69laGLbuPncDNv/1dA87QjSHXWtbw1i3rSW"
    "KbgeSKqeCsNuHLLl4DRNkdKYSqIuRinVECisFK+OR2o9Cpik6otJXSnOJEMq9AL6pELRhh"
    "Fti8yOOvXDS1HsiveLqgQCX4GrGiBD3tGIt/hsMoPDp/B119MtPmE6OLc4A/N/Z8ZbPZO2"
    "9etPz8x+2Yt/wnTDVuBbCUMG2FFGvdLfKPWCyeuA2Id4Qf+P4eG57F1TowZyq7ylbtKirK"
    "8qWiLEtXColTycxoqO8OBlzdHHG1auJSD+zHdf6iWKMRNquYojYSixmbhsrBEBBJjcJ8wI"
    "ScF+Z/m06we2xAolMDTSCexqb0cewwyWrwK8OSMiztJG7KsKQMS8qwdJgIKcOSzOgkVM0F"
    "SJZkZixQ7052Rk24FYPojjCuQ2zR6AcRebAds18KYP+j+2M6gG9X0e4ylIACm0nEepBaI2"
    "hd/9budq6vWtf9Bor8GJDmxVX7uoHEx4CcN/vNy84vDRR8kSN4QKXOZbN+f8szqy0P9g31"
    "lHm57JYH0X3GgjDMhHAVkH39tYvtWZWbbO/FLAZ0x4ZAlv/i5wu4HDJ3hYidr+c5H0K3Sv"
    "F9IUp5HRKuhFjhy0x/hKqCubuivtrb4XCWEbW3Q2h3vOm1un3YywE+k3s5DEj7ut1vNy/b"
    "v/Nj8+/8+NVNB+j8Twga7vzWvmh1tebFRQNFf0XOdVvXTdhtNHEg1uKqeRNrwH/LoUEo76"
    "bybm6L0cqDudOcVlW9NpKDrrZNUdumSKA/p3FYbZuyJ/yXKA+Zs6KLnyyWUZo52aRexHbi"
    "RlsX2lYTCulMhpRhfwMT7KIHCu4gx89M8xPPgu6DHTMbSLiMGacYOX4+cPrem2vse80VmA"
    "/F0LKx2NDoQCvjyp5TyRy+I6E9S5qJy9eAu8LIkjJpzU8vmbD8hsWqJqxi6C01L+xuZfaa"
    "COWESE7E7PFDA1EHE92qYmtZlxkge/YwLebYenlJP0mnJP1ikr5fUyMj0CXP3BUjk7jmt1"
    "8UJ5hTAplD3D3IIEFNET+bnhL8iiF/RvKLTDVEPRM6KRjwsnGT2SEFoXy5bV/2Idgk+KKC"
    "T5T/SFb/kQo+2TfU1xB8sklZ+xZCMi9pajrn7FyulA2WURHYqdn0YfOidiymghrG2HVno3"
    "7FSIrETqWRnUii11njFaKuvg1dYrZfwrr6V+EmUoabuJizgqWXLM7bcDVKJa/iKZNjTu1p"
    "9AJMVoETavOdVdR0cadIpCIHueFQ1w6cA/oT2Pur6HgbGei7XVeyFtaGrJXEKA4Kw8SrCM"
    "r6FW+/NqKfTVpOoklSyux9qEHF3Fg1yLrvFYN9TDFDFjHssVm4dsJWsusCfvvpz5WgmpNK"
    "jxX4Km0MR2Z4zZI2dwmtaLJ2JcySHbwccid7oEGk4+FnZleHY06v0FgJjdkrXQmLGLVCQt"
    "UX3iNYDrfOi+TASF7HRc1ocldxUfjIW8NFYVMTTPRnpArvyyKxzAuNsJyJLXHmW/WYeGYX"
    "gP2gdsMwIPgeLPYVUUtQ7whsESMBQCc9RrEVvyJSqX2o6W5VVIJlfhVQEl0oTFbAZL64V0"
    "RksQOFxwp4eNTT7apYxIllXlskhyJMSWJ07BoZUd7L/WeLvUjt32z9aJ5DOTX4GJDet063"
    "r/k1EubfoSjD1+btZV/rdr5DZYbZjwHJLsoWBMhqrV6/fdWEkg7JI3K46ETdaL7mV8z8T6"
    "VWgRkFAzO2s1WKbJxec1p6kAWxjmiAjK52IChgP7acDPi/8s6T+f0o4a2iGyEeMVwmwj5B"
    "uoch9rsbUr+YSaHqp2xkoXKxQV2z0vuTIN3D92dHU1SyEpNkSlHpYid737FEi3peuoqfqu"
    "Li8pVARbkJv4S5TR9eQfkI5jF0h+9hZ2Wx0f091J/QCRKdYhO5+Di4zhvUdBxMzGPKh0d6"
    "JYv1dV0yi2aWvRPMe6og6e5KOnkZIqFEWWHmjpGqmVv2mTuerxJ/u4u/f0lKZaisrHYoaX"
    "Qj0qiq5ndg1fxk43kOi/eznN8hAiCVHkRte+xc6JY9vWVCtM/QhhLt6gV0IkGimUCjjUOi"
    "Ne/KfDc2HrHHLyKstSIxNiwMnNwfwT+YdM3F7Nor7d2sVI+XUz1EmnlJA3iUSomeq2aWZC"
    "Rc9QJ30gL3dymZcR2rRRYzE2vC9e1Vq9s+Pzr7VF+QjpbkIy5j9W4kI8rF6/xswmUc379U"
    "wpdjelbKYCGe71O+4IuwPCcvcBnD9ywpcLPsXhrun8ntHYv1l4nfuZH6+QzfoTB9mTieF7"
    "2az/A9DF3dLL/jCm9x7SdOJzOjud43ZYhZxMDo7d8/nhyfvOV/6Oi2fy6sLLIqRlHjQ1HD"
    "ccxgIbHRWOQEwc0iy6wj6qJXr9A9/yCUFM0KUkW+VJGvfWPvRkOiVRLCQSUhHGjltt0N0p"
    "bYjdMHqbpW0JfjN65XcOj40vsLunWUf0YiyVf5ZyQCQ/lnlH/mAHit/DPKP3MILFf+GeWf"
    "2cdpXPlntsJx5Z9R/hnln1H+me0atrlyb43EpnLVJ6XcPqR+a8Run7rrIXqPEvfu7/Vpor"
    "tpRdv0+qc0+Yyb3+jYFfl0eUbNoFG9sDFzOCfYjAkTLiCYrcLRd9vCpsydEoGhzJ3K3HkA"
    "vFbmTmXuPASWK3OnMnfu4zSuzJ1b4bgyd760uTPUckvbO2fqscSsrsFNLlo8+ycnjZOT32"
    "U2eaqIaBURrSKiVUS0iohWEdEHGRF9g4mZW+Qz1qpe2G3gRCiW1vlsQhFO2FGJYcT4qMXI"
    "YohQD1lE7Fru94nElRiaYg8d3fjiV++fl58Rw2ET7Z7acNnXiwU/N3CNARmQ73xAeZiEvf"
    "AB6eER7K7uDXXom79enr/1Or98HU0sb4h0ZFBnCm6u4LioPwovpGg5IP6FuEA1HqEjRhFc"
    "kYmqpC52KHQI1RP53QPx68+IQ4E93z0GPUJz//q6aQZdwsN7NPKkrD67Zw474ggRxkHiiL"
    "xB3VmpU/SIsRNsHQ/3zEmYh52CRU8z3TFViiOuuyyi8suo2uyHUptdRGmkvXBLAjtS37di"
    "IoFshTBVdq3SJfeNvVvTJbMG8y7pjxV5vg0tLp3d29PcdpjZ+dEQefLnXgZEbDUkJStQog"
    "AKexYrsVUY8mMoCoCxvTCKvYYkK8KiKCLbCLLYV0By4i8KwLGlEIy9A2NpdMbSjYD3MEBj"
    "i1DkBm4sxWIfYzfUBtkHCIUkXp3v+G5I6eMFtq0n7KYmgiSb1PP8ORO/MUdGtLb8zSyK7d"
    "qGn4QPhCIKP4jpUA5LHbmYY4ZN3w0CT03v79GYeJaNgqvwk9TlPVs2NtN3bVtf1yV3bQPf"
    "zljwgOBnT9M9D8MWsbq30uZt8B5HLiKeTlMbwu3qXFDPcbfMsC2FQZRKTcyV18hwpii3I1"
    "iCap/4v7Y9webzYqX4kxm1zPbL2k3r+qJ9/UsDBV8gsOiy/Vur27qAsKLg64B8bbYv4ZD/"
    "mVzAtmPzDFaqFIgyx32URA36lEGfFAFKTekpxDIzucYw56YZBvhCMMgtsZ4RdqgxlL+sga"
    "1zBcefZjgGZopFLTvmJIVUbQuZwWLsurSUAytOtX9RBu8L7Qj5PmdHyPeLO0IaLhbVHcqH"
    "7MQpVcSO1BE7M521AtBJ2jVALdl7tutIy2UxagVKTi3bYjRrUi9iMQq1pmIGo2zUV4gwLa"
    "Xl7ZmZY8VlPduAMXZLhV4FzWXW66oGXp0UWtqhWXbo1cni4h69uRKMTpDtI8M3EenG1RoX"
    "p6yueSFXIYXMPK4x64EwNLfbf0ZsSCcE0dAAI8PW5kqQzeY+pHd0iCjmBevHjog7wVInq7"
    "TT5O+CMUwTcoIzubKNPm+jBJp9EWj49MhKrrUREpnXAJnWWXipSnA4aL6H3N3MOkqJh0nK"
    "IvqPXuc6K+RjRpJcPS3DQ/9DtsUksj+vwywAzIgtkSFPj66aP5LsPr/sfEmufdDBl20He/"
    "z8PzjokU8="
)
