#!/usr/bin/env python3
"""moto_server, with DescribeParameters paged as SSM pages it: MaxResults (1-50) names a page.

moto answers 10 names a page whatever MaxResults asks, which makes a sweep by
DescribeParameters take as many sequential round trips as GetParametersByPath's 10-a-page;
against SSM it takes a fifth of them. The benchmarks (scripts/bench.sh) measure against this,
so that the ratios they report are those SSM would show. Usage: as moto_server.
"""
import sys

import moto.server
from moto.core.responses import ActionResult
from moto.ssm.responses import SimpleSystemManagerResponse


def describe_parameters(self):
    page = max(1, min(50, int(self._get_param("MaxResults") or 50)))
    start = int((self._get_param("NextToken") or "0").strip() or "0")
    found = self.ssm_backend.describe_parameters(
        self._get_param("Filters"), self._get_param("ParameterFilters")
    )
    answer = {"Parameters": [p.describe_response_object(False) for p in found[start : start + page]]}
    if start + page < len(found):
        answer["NextToken"] = str(start + page)
    return ActionResult(answer)


SimpleSystemManagerResponse.describe_parameters = describe_parameters

if __name__ == "__main__":
    moto.server.main(sys.argv[1:])
