using ImageScanning.Cli.Cli;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await ImageScanCommand.RunAsync(args, cancel.Token);
