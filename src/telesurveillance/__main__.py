"""`python -m telesurveillance` runs the command-line interface."""

import telesurveillance.cli

if __name__ == "__main__":
    telesurveillance.cli.main()
