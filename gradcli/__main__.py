"""``python -m gradcli``: the same as the ``gradcli`` command."""

from gradcli.cli.main import main

if __name__ == "__main__":
    main()
