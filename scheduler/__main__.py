from scheduler.runner import main

main()
