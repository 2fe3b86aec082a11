from seikyu.cli import main

main()
