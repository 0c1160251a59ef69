from lecture.cli import main

main()
