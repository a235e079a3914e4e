using ImageScanning.ScanRouter.Extensions;
using ImageScanning.ServiceDefaults.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("scan-router");
builder.AddScanRouter();
builder.AddMessaging(bus => bus.AddScanRouterConsumers());

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
