from qcode.cli import main

main()
