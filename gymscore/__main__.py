from gymscore.cli.main import main

raise SystemExit(main())
