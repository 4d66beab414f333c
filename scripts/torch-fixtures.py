#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures into test/fixtures/. Run with Debian's python3-torch:

    /usr/bin/python3 scripts/torch-fixtures.py        (or: npm run fixtures)

The tests compare against these JSON files and never need Python themselves.
"""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import torch  # noqa: E402

import fixtures_bidir  # noqa: E402
import fixtures_embedding  # noqa: E402
import fixtures_gradflow  # noqa: E402
import fixtures_half  # noqa: E402
import fixtures_interop  # noqa: E402
import fixtures_layers  # noqa: E402
import fixtures_optim  # noqa: E402
import fixtures_safetensors  # noqa: E402
import fixtures_schedule  # noqa: E402
import fixtures_textclf  # noqa: E402

if __name__ == "__main__":
    torch.manual_seed(0)
    print(f"torch {torch.__version__}")
    fixtures_layers.main()
    fixtures_optim.main()
    fixtures_gradflow.main()
    fixtures_schedule.main()
    fixtures_safetensors.main()
    fixtures_embedding.main()
    fixtures_bidir.main()
    fixtures_half.main()
    fixtures_textclf.main()
    fixtures_interop.main()  # reads the committed rnnlab-*.safetensors (scripts/interop-rnnlab-weights.ts)
