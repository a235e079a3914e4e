// The three fixtures run side by side: R1b spends three minutes waiting for its broker, R6 is short; each has its own broker,
// registry, data directory and ports. Inside a fixture the scenarios run one after another on the same platform.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
