def test_report_page_renders_for_a_signed_in_user(member_client, seed_programme):
    response = member_client.get("/programmes/care-programme-2024-25/report/2024-25-q3/")
    assert response.status_code == 200
