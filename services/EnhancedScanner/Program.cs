using ImageScanning.EnhancedScanner.Extensions;
using ImageScanning.ServiceDefaults.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("enhanced-scanner");
builder.AddEnhancedScanner();
builder.AddMessaging(bus => bus.AddEnhancedScannerConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
