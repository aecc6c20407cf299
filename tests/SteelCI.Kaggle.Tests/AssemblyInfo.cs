using System.Runtime.Versioning;

// The fake runs kernels through the local backend (Linux only), and credential tests check Unix file modes.
[assembly: SupportedOSPlatform("linux")]
