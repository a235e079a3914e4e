using ImageScanning.BasicScanner.Extensions;
using ImageScanning.ServiceDefaults.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("basic-scanner");
builder.AddBasicScanner();
builder.AddMessaging(bus => bus.AddBasicScannerConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
