from refcli.cli import main

main()
