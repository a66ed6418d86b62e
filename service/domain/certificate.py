"""The printable service-hour certificate: plain HTML, every value escaped."""

from __future__ import annotations

from html import escape

from service.domain.notices import SERVICE_NAMES


def certificate_html(certificate) -> str:
    rows = "\n".join(
        f"<tr><td>{session.start:%Y-%m-%d %H:%M}</td>"
        f"<td>{escape(' / '.join(SERVICE_NAMES.get(session.service, (session.service,) * 2)))}</td>"
        f"<td>{escape(session.practice_area)}</td><td class=n>{session.minutes}</td></tr>"
        for session in certificate.sessions
    )
    hours, minutes = divmod(certificate.total_minutes, 60)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>公益法律服务时长证明 / Pro-bono service certificate</title>
<style>
body {{ font-family: serif; max-width: 46em; margin: 2em auto; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #999; padding: .3em .5em; }} .n {{ text-align: right; }}
@media print {{ body {{ margin: 0; }} }}
</style></head><body>
<h1>公益法律服务时长证明<br><small>Pro-bono legal service certificate</small></h1>
<p>兹证明 <strong>{escape(certificate.lawyer_name)}</strong> 律师（{escape(certificate.firm)}，
执业证号 {escape(certificate.license_no)}）在“{escape(certificate.program_name)}”中提供公益法律服务
{len(certificate.sessions)} 次，共计 <strong>{certificate.total_minutes}</strong> 分钟
（{hours} 小时 {minutes} 分钟）。</p>
<p>This certifies that {escape(certificate.lawyer_name)} gave {len(certificate.sessions)} pro-bono
sessions totalling {certificate.total_minutes} minutes in {escape(certificate.program_name)}.</p>
<table><thead><tr><th>日期 Date</th><th>服务 Service</th><th>领域 Area</th>
<th>分钟 Minutes</th></tr></thead><tbody>
{rows}
</tbody></table>
<p>出具时间 Issued {certificate.issued_at:%Y-%m-%d %H:%M} UTC</p>
</body></html>
"""
