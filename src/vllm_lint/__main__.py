from vllm_lint.cli import main

raise SystemExit(main())
