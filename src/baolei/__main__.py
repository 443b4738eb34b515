from baolei.cli import main

main()
