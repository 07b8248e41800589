from zarya.cli import run

run()
