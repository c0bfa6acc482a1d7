from mlform.cli.main import main

raise SystemExit(main())
