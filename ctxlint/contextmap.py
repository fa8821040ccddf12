def map_main(argv: list[str]) -> int:
    return 0
