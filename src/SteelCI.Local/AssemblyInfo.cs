using System.Runtime.Versioning;

// The local backend reads /proc and starts /bin/sh: Linux (and WSL) only, like Kaggle's kernels.
[assembly: SupportedOSPlatform("linux")]
